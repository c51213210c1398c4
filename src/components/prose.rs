//! Text with code in it: the parts a writer marked with backticks (`IsIndirectResellerOf`)
//! are shown as code, the rest as text, so identifiers stand apart from the sentence in
//! every language and the marks themselves never show.

use leptos::prelude::*;

/// Splits `text` at backticks into (is code, part); an unpaired mark is kept as text.
pub fn parts(text: &str) -> Vec<(bool, String)> {
    let pieces: Vec<&str> = text.split('`').collect();
    if pieces.len().is_multiple_of(2) {
        return vec![(false, text.to_string())];
    }
    pieces
        .into_iter()
        .enumerate()
        .filter(|(_, p)| !p.is_empty())
        .map(|(i, p)| (i % 2 == 1, p.to_string()))
        .collect()
}

#[component]
pub fn Prose(#[prop(into)] text: String) -> impl IntoView {
    parts(&text)
        .into_iter()
        .map(|(code, part)| {
            if code {
                view! { <code>{part}</code> }.into_any()
            } else {
                part.into_any()
            }
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::parts;

    #[test]
    fn backticks_mark_code() {
        assert_eq!(
            parts("send `true` or `false`."),
            vec![
                (false, "send ".to_string()),
                (true, "true".to_string()),
                (false, " or ".to_string()),
                (true, "false".to_string()),
                (false, ".".to_string())
            ]
        );
        assert_eq!(parts("no code"), vec![(false, "no code".to_string())]);
        assert_eq!(parts("a ` b"), vec![(false, "a ` b".to_string())]);
    }
}
