/// An agreement version customers accept (a row of `agreements`): the Microsoft Customer
/// Agreement in force, as the acceptance page names and links it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    pub id: String,
    pub name: String,
    pub version: String,
    pub link: String,
}
