//! The mail outbox's writing side: a [`Letter`], written by a capability in the words of the
//! recipient's language, is put into words of plain text and simple HTML and queued inside
//! the transaction of the change that causes it. `platform::mail` sends what is queued here.
//!
//! Everything a user typed (names, organization names) is text: escaped in the HTML part,
//! and kept on one header line (line breaks and control characters become spaces, long
//! names are cut) in the headers.

use sqlx::{Any, Transaction};

use crate::domain::escape_html as escape;
use crate::error::AppError;
use crate::i18n::{self, Locale};
use crate::server::platform::db::{new_id, now, now_ms};

/// The longest display name or subject written into a header (characters).
pub const HEADER_TEXT_MAX: usize = 200;

/// A mail to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    /// What it is (`password_reset`, `user_added`, …): for the log and the operator's list.
    pub kind: &'static str,
    /// The recipient's account, when they have one.
    pub user_id: Option<String>,
    pub to_address: String,
    pub to_name: String,
    pub locale: Locale,
    pub subject: String,
    /// The paragraphs, in order.
    pub paragraphs: Vec<String>,
    /// The one thing to do or see: a button in HTML, the address on its own line in text.
    pub action: Option<(String, String)>,
    /// A closing note in small print (why the mail was sent, what to do if unexpected).
    pub footer: String,
}

/// Text that may go into a header: one line, no control characters, at most
/// [`HEADER_TEXT_MAX`] characters.
pub fn header_text(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut words = one_line.split_whitespace().collect::<Vec<_>>().join(" ");
    if words.chars().count() > HEADER_TEXT_MAX {
        words = words.chars().take(HEADER_TEXT_MAX - 1).collect::<String>() + "…";
    }
    words
}

impl Letter {
    /// The plain-text part.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for p in &self.paragraphs {
            out.push_str(p);
            out.push_str("\n\n");
        }
        if let Some((label, url)) = &self.action {
            out.push_str(&format!("{label}:\n{url}\n\n"));
        }
        out.push_str("-- \n");
        out.push_str(&self.footer);
        out.push('\n');
        out
    }

    /// The HTML part: the same words, every one of them escaped.
    pub fn html(&self) -> String {
        let mut body = String::new();
        for p in &self.paragraphs {
            body.push_str(&format!("<p style=\"margin:0 0 16px\">{}</p>\n", escape(p)));
        }
        if let Some((label, url)) = &self.action {
            body.push_str(&format!(
                "<p style=\"margin:24px 0\"><a href=\"{url}\" style=\"background:#0f6cbd;color:#ffffff;padding:10px 18px;border-radius:4px;text-decoration:none;font-weight:600\">{label}</a></p>\n\
                 <p style=\"margin:0 0 16px;font-size:13px;color:#555555;word-break:break-all\">{url}</p>\n",
                url = escape(url),
                label = escape(label),
            ));
        }
        format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
             <body style=\"margin:0;padding:24px;background:#f5f5f5;font-family:'Segoe UI',Arial,sans-serif;font-size:15px;line-height:1.5;color:#242424\">\n\
             <div style=\"max-width:560px;margin:0 auto;background:#ffffff;padding:24px;border-radius:6px\">\n\
             <p style=\"margin:0 0 20px;font-weight:700;font-size:17px\">Accord</p>\n{body}\
             <hr style=\"border:none;border-top:1px solid #e0e0e0;margin:24px 0 12px\">\n\
             <p style=\"margin:0;font-size:12px;color:#616161\">{footer}</p>\n</div>\n</body></html>\n",
            lang = i18n::tag(self.locale),
            title = escape(&header_text(&self.subject)),
            footer = escape(&self.footer),
        )
    }
}

/// Queues `letter` inside the caller's transaction: it is sent exactly when the change
/// commits, and never for a change that did not happen. Answers the mail's id.
pub async fn enqueue(tx: &mut Transaction<'_, Any>, letter: &Letter) -> Result<String, AppError> {
    let id = new_id();
    let message_id = format!("{id}@accord.mail");
    sqlx::query(
        "INSERT INTO mail_outbox (id, message_id, kind, user_id, to_address, to_name, locale,
             subject, body_text, body_html, created_at, state, attempts, next_attempt_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', 0, $12)",
    )
    .bind(&id)
    .bind(&message_id)
    .bind(letter.kind)
    .bind(letter.user_id.as_deref())
    .bind(letter.to_address.trim())
    .bind(header_text(&letter.to_name))
    .bind(i18n::tag(letter.locale))
    .bind(header_text(&letter.subject))
    .bind(letter.text())
    .bind(letter.html())
    .bind(now())
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    tracing::info!(mail = %id, kind = letter.kind, "mail queued");
    crate::server::platform::mail::wake();
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter() -> Letter {
        Letter {
            kind: "test",
            user_id: None,
            to_address: "a@example.com".into(),
            to_name: "Ann\r\nBcc: evil@example.com".into(),
            locale: Locale::en,
            subject: "Hello\nBcc: x@y".into(),
            paragraphs: vec!["<script>alert(1)</script> & more".into()],
            action: Some(("Open <it>".into(), "https://a.example/x?a=1&b=\"2\"".into())),
            footer: "Sent by Accord.".into(),
        }
    }

    #[test]
    fn header_text_is_one_short_line() {
        assert_eq!(header_text("Ann\r\nBcc: evil@x"), "Ann Bcc: evil@x");
        assert_eq!(header_text("  a \t b\u{0}c "), "a b c");
        let long = header_text(&"x".repeat(2000));
        assert_eq!(long.chars().count(), HEADER_TEXT_MAX);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn html_escapes_every_user_text() {
        let html = letter().html();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
        assert!(html.contains("href=\"https://a.example/x?a=1&amp;b=&quot;2&quot;\""));
        assert!(html.contains(">Open &lt;it&gt;</a>"));
        assert!(html.contains("<title>Hello Bcc: x@y</title>"));
    }

    #[test]
    fn text_has_the_link_on_its_own_line() {
        let text = letter().text();
        assert!(text.contains("Open <it>:\nhttps://a.example/x?a=1&b=\"2\"\n"));
        assert!(text.ends_with("-- \nSent by Accord.\n"));
    }
}
