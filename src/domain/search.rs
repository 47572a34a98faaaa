//! Search keys: what a name is compared by when someone searches.
//!
//! Lower case, accents and other combining marks removed (so `Ozturk` finds `Öztürk` and an
//! Arabic name typed without vowel marks finds one written with them), and a few letters that
//! do not decompose folded to what a Flemish keyboard types (`ı` → `i`, `ø` → `o`, `ß` → `ss`).
//! Scripts without case or marks, such as Ethiopic, are kept as they are. The same function
//! makes the stored key and the key of what was typed, so both always agree.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

pub fn search_key(text: &str) -> String {
    let mut key = String::with_capacity(text.len());
    for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        match c {
            'ı' => key.push('i'),
            'ø' | 'Ø' => key.push('o'),
            'ł' | 'Ł' => key.push('l'),
            'đ' | 'Đ' => key.push('d'),
            'ß' => key.push_str("ss"),
            'æ' | 'Æ' => key.push_str("ae"),
            'œ' | 'Œ' => key.push_str("oe"),
            // Arabic tatweel only stretches a word.
            '\u{0640}' => {}
            c if c.is_whitespace() => {
                if !key.ends_with(' ') && !key.is_empty() {
                    key.push(' ');
                }
            }
            c => key.extend(c.to_lowercase()),
        }
    }
    key.trim_end().to_string()
}

/// A `LIKE` pattern matching keys that contain `typed`, with `%` and `_` taken literally.
pub fn contains_pattern(typed: &str) -> String {
    let key = search_key(typed)
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{key}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_accents_and_case_are_ignored() {
        assert_eq!(search_key("Öztürk"), "ozturk");
        assert_eq!(search_key("  Zoë   Van  Damme "), "zoe van damme");
        assert_eq!(search_key("Aydın"), "aydin");
        assert_eq!(search_key("Łukasz Øberg"), "lukasz oberg");
    }

    #[test]
    fn cyrillic_is_lowercased() {
        assert_eq!(search_key("Олена Шевченко"), "олена шевченко");
        assert!(search_key("Шевченко").contains(&search_key("шевч")));
    }

    #[test]
    fn arabic_vowel_marks_are_ignored() {
        // "Muhammad" with and without harakat.
        assert_eq!(search_key("مُحَمَّد"), search_key("محمد"));
    }

    #[test]
    fn ethiopic_is_kept() {
        assert_eq!(search_key("ተስፋይ"), "ተስፋይ");
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(contains_pattern("50%_a"), "%50\\%\\_a%");
    }
}
