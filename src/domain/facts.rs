//! What an activity entry records, as facts rather than sentences: the log is read in the
//! reader's language, so each page puts the facts into words of its own locale.

use serde::{Deserialize, Serialize};

use super::{RelationshipKind, Service};

/// The facts of one activity entry, stored as JSON in its `detail` column. Every part is
/// optional; which parts an entry has depends on its action.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// Who acted: a person's name, or an organization's for an organization's decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The other organization the entry is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// A user the entry is about, and their address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// A role's machine name (partner or customer role), and the one it replaced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<RelationshipKind>,
    /// Delegated admin services the entry grants or removes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<Service>,
    /// Delegated admin services that stay as they were.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<Service>,
    /// An agreement's name and version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// A webhook's address and its events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,
    /// An API key's name and the first characters of its secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
}

impl Facts {
    /// Facts with who acted.
    pub fn by(name: &str) -> Self {
        Facts {
            by: Some(name.to_string()),
            ..Facts::default()
        }
    }

    /// The stored form (JSON).
    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The facts of a stored detail; `None` for an entry written as a sentence by an older
    /// version (shown as it was written).
    pub fn from_stored(detail: &str) -> Option<Self> {
        if !detail.starts_with('{') {
            return None;
        }
        serde_json::from_str(detail).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_sentences() {
        let f = Facts {
            user: Some("王芳".into()),
            services: vec![Service::AzureAd],
            ..Facts::by("Ann")
        };
        assert_eq!(Facts::from_stored(&f.to_stored()), Some(f));
        assert_eq!(Facts::from_stored("Ann removed Bob."), None);
        assert_eq!(
            Facts::from_stored(r#"{"by":"A","kind":"reseller"}"#).and_then(|f| f.kind),
            Some(RelationshipKind::Reseller)
        );
    }
}
