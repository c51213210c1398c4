//! People's names as they write them. A Chinese name is written family name first and
//! without a space (王伟); a Western one given name first, with one (Casey Customer).

/// Two-character Chinese family names (Simplified and Traditional), which a name written
/// whole starts with; any other Chinese name starts with a one-character family name.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "歐陽", "司马", "司馬", "上官", "诸葛", "諸葛", "东方", "東方", "皇甫", "尉迟", "尉遲",
    "公孙", "公孫", "慕容", "长孙", "長孫", "宇文", "司徒", "夏侯", "轩辕", "軒轅", "令狐", "钟离",
    "鍾離", "澹台", "澹臺", "西门", "西門", "南宫", "南宮", "端木", "申屠", "呼延", "百里",
];

/// Whether `c` is a Han character (CJK Unified Ideographs and their extensions).
fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Whether `text` is written in Han characters only (spaces and the middle dot aside).
pub fn is_han_name(text: &str) -> bool {
    let mut any = false;
    for c in text.chars() {
        match c {
            c if is_han(c) => any = true,
            ' ' | '·' | '・' => {}
            _ => return false,
        }
    }
    any
}

/// A person's name split into (given name, family name), for forms that ask for both. A
/// Han name is written family name first: with a space it splits there (王 芳), written
/// whole after its family name (王伟: 王 + 伟, 欧阳修: 欧阳 + 修); any other name splits at
/// its first space (Casey + Customer), or stays whole as the given name.
pub fn split_name(full: &str) -> (String, String) {
    let full = full.trim();
    if is_han_name(full) {
        // Written with a space, the family name is what comes first (王 芳).
        if let Some((family, given)) = full.split_once(' ') {
            return (given.trim().to_string(), family.to_string());
        }
        let family_len = COMPOUND_SURNAMES
            .iter()
            .find(|s| full.starts_with(*s) && full.chars().count() > 2)
            .map_or(1, |s| s.chars().count());
        let family: String = full.chars().take(family_len).collect();
        let given: String = full.chars().skip(family_len).collect();
        if !given.is_empty() {
            return (given, family);
        }
        return (full.to_string(), String::new());
    }
    match full.split_once(' ') {
        Some((given, family)) => (given.to_string(), family.trim().to_string()),
        None => (full.to_string(), String::new()),
    }
}

/// The name as its owner writes it: family name first without a space when both parts are
/// Han (王伟), else given name first (Casey Customer).
pub fn full_name(given: &str, family: &str) -> String {
    let (given, family) = (given.trim(), family.trim());
    match (given.is_empty(), family.is_empty()) {
        (true, _) => family.to_string(),
        (_, true) => given.to_string(),
        _ if is_han_name(given) && is_han_name(family) => format!("{family}{given}"),
        _ => format!("{given} {family}"),
    }
}

/// Escapes text for HTML content and attribute values (pages' raw HTML, mails).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_names_split_after_the_family_name_and_join_without_a_space() {
        assert_eq!(split_name("王伟"), ("伟".into(), "王".into()));
        assert_eq!(split_name("欧阳修"), ("修".into(), "欧阳".into()));
        assert_eq!(split_name("諸葛亮"), ("亮".into(), "諸葛".into()));
        assert_eq!(split_name("王 芳"), ("芳".into(), "王".into()));
        assert_eq!(full_name("伟", "王"), "王伟");
        assert_eq!(full_name("修", "欧阳"), "欧阳修");
        // A one-character name stays whole.
        assert_eq!(split_name("王"), ("王".into(), String::new()));
    }

    #[test]
    fn other_names_split_at_the_first_space_and_join_given_name_first() {
        assert_eq!(
            split_name("Casey Customer"),
            ("Casey".into(), "Customer".into())
        );
        assert_eq!(
            split_name("Mary Ann Smith"),
            ("Mary".into(), "Ann Smith".into())
        );
        assert_eq!(split_name("Madonna"), ("Madonna".into(), String::new()));
        assert_eq!(full_name("Casey", "Customer"), "Casey Customer");
        assert_eq!(full_name("Casey", ""), "Casey");
        // Mixed scripts keep the Western order.
        assert_eq!(full_name("Wei", "王"), "Wei 王");
    }
}
