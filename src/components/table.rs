//! The table of records the lists of the portal share.

use leptos::prelude::*;

/// A table of records, `<table class="data …">`: one column header per label and, when
/// `actions` is given, a last column of buttons whose header only screen readers hear. The
/// rows are the children; on narrow screens each cell shows its column's label
/// (`data-label`, set by the page), so the labels given here are the ones the rows use.
#[component]
pub fn DataTable(
    /// The table's own class, beside `data`.
    class: &'static str,
    /// The column headers, in order.
    labels: Vec<String>,
    /// Header of a last column of buttons, read only by screen readers.
    #[prop(optional, into)]
    actions: Option<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <table class=format!("data {class}")>
            <thead>
                <tr>
                    {labels.into_iter().map(|l| view! { <th scope="col">{l}</th> }).collect_view()}
                    {actions.map(|a| view! { <th scope="col"><span class="visually-hidden">{a}</span></th> })}
                </tr>
            </thead>
            <tbody>{children()}</tbody>
        </table>
    }
}
