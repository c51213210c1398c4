//! The `mailto:` link for the draft email a partner sends with its invitation link (used
//! by the draft editor in the browser).

/// A `mailto:` URL with subject and body percent-encoded as RFC 6068 asks.
pub fn mailto_href(subject: &str, body: &str) -> String {
    format!(
        "mailto:?subject={}&body={}",
        percent_encode(subject),
        percent_encode(&body.replace("\r\n", "\n").replace('\n', "\r\n"))
    )
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailto_is_fully_encoded() {
        let href = mailto_href("Hi & welcome", "Line 1\nhttps://a.example/?a=1&b=2\nÜ");
        assert_eq!(
            href,
            "mailto:?subject=Hi%20%26%20welcome&body=Line%201%0D%0Ahttps%3A%2F%2Fa.example%2F%3Fa%3D1%26b%3D2%0D%0A%C3%9C"
        );
    }
}
