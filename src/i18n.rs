//! Languages of the pages an inburgeraar reads (Mijn traject), with their texts in Fluent
//! message files: `locales/<lang>/mijn.ftl`, one per language, compiled into the binary.
//!
//! Staff pages stay Dutch-only in their templates; only what the inburgeraar reads goes through
//! here. A missing message falls back to Dutch, so a forgotten translation shows Dutch words
//! rather than a key; the unit tests below make sure none is missing.

use std::sync::LazyLock;

use fluent_bundle::types::{FluentNumber, FluentNumberOptions};
use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};
use unic_langid::LanguageIdentifier;

/// The languages of Mijn traject. Dutch first: the default and the fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Nl,
    En,
    Fr,
    Ar,
    Uk,
    /// Dari (Afghan Persian), written in Arabic script.
    Prs,
    /// Tigrinya, written in Ge'ez (Ethiopic) script.
    Ti,
}

impl Lang {
    pub const ALL: [Self; 7] = [
        Self::Nl,
        Self::En,
        Self::Fr,
        Self::Ar,
        Self::Uk,
        Self::Prs,
        Self::Ti,
    ];

    /// The BCP 47 code: `lang` on `<html>`, the cookie and `?taal=`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Nl => "nl",
            Self::En => "en",
            Self::Fr => "fr",
            Self::Ar => "ar",
            Self::Uk => "uk",
            Self::Prs => "prs",
            Self::Ti => "ti",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        let code = code.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|lang| lang.code() == code)
    }

    /// Arabic and Dari read right to left.
    pub fn is_rtl(self) -> bool {
        matches!(self, Self::Ar | Self::Prs)
    }

    pub fn dir(self) -> &'static str {
        if self.is_rtl() { "rtl" } else { "ltr" }
    }

    /// The language's own name, as the switcher shows it (someone looks for their language
    /// in its own script, not in Dutch).
    pub fn native_name(self) -> &'static str {
        match self {
            Self::Nl => "Nederlands",
            Self::En => "English",
            Self::Fr => "Français",
            Self::Ar => "العربية",
            Self::Uk => "Українська",
            Self::Prs => "دری",
            Self::Ti => "ትግርኛ",
        }
    }

    /// The locale whose CLDR plural rules the messages' selectors (`[one]`, `[few]`, …) follow.
    /// The rules fluent uses (intl_pluralrules, CLDR 37) know no `prs` and would silently fall
    /// back to English; Dari is the Persian of Afghanistan, so it takes Persian's (`fa`).
    fn plural_locale(self) -> &'static str {
        match self {
            Self::Prs => "fa-AF",
            other => other.code(),
        }
    }

    fn source(self) -> &'static str {
        match self {
            Self::Nl => include_str!("../locales/nl/mijn.ftl"),
            Self::En => include_str!("../locales/en/mijn.ftl"),
            Self::Fr => include_str!("../locales/fr/mijn.ftl"),
            Self::Ar => include_str!("../locales/ar/mijn.ftl"),
            Self::Uk => include_str!("../locales/uk/mijn.ftl"),
            Self::Prs => include_str!("../locales/prs/mijn.ftl"),
            Self::Ti => include_str!("../locales/ti/mijn.ftl"),
        }
    }
}

/// All languages' messages, parsed once.
pub struct Messages {
    bundles: Vec<(Lang, FluentBundle<FluentResource>)>,
}

static MESSAGES: LazyLock<Messages> = LazyLock::new(Messages::load);

pub fn messages() -> &'static Messages {
    &MESSAGES
}

impl Messages {
    fn load() -> Self {
        let bundles = Lang::ALL
            .into_iter()
            .map(|lang| (lang, bundle(lang, lang.source())))
            .collect();
        Self { bundles }
    }

    fn bundle(&self, lang: Lang) -> Option<&FluentBundle<FluentResource>> {
        self.bundles
            .iter()
            .find(|(l, _)| *l == lang)
            .map(|(_, bundle)| bundle)
    }

    /// The message `key` in `lang` (Dutch when missing there), with `args` filled in.
    pub fn text(&self, lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, *value);
        }
        self.text_with(lang, key, &fluent_args)
    }

    fn text_with(&self, lang: Lang, key: &str, args: &FluentArgs) -> String {
        [lang, Lang::Nl]
            .into_iter()
            .find_map(|lang| self.format(lang, key, args))
            .unwrap_or_else(|| {
                tracing::warn!(key, "message missing in every language");
                key.to_string()
            })
    }

    fn format(&self, lang: Lang, key: &str, args: &FluentArgs) -> Option<String> {
        let bundle = self.bundle(lang)?;
        let pattern = bundle.get_message(key)?.value()?;
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(args), &mut errors);
        if !errors.is_empty() {
            tracing::warn!(
                key,
                lang = lang.code(),
                ?errors,
                "message formatted with errors"
            );
        }
        Some(text.into_owned())
    }

    /// A duration in whole minutes, in words of `lang` (`12 u 30`, `12 h 30 min`, …). Hours
    /// and minutes go in as numbers, so a language's messages can choose the word by its
    /// plural category (Arabic ساعة, ساعتان, ساعات; Ukrainian година, години, годин).
    pub fn duration(&self, lang: Lang, minutes: i64) -> String {
        let minutes = minutes.max(0);
        let (hours, rest) = (minutes / 60, minutes % 60);
        let mut args = FluentArgs::new();
        let key = match (hours, rest) {
            (0, _) => {
                args.set("minutes", number(rest, None));
                "duration-minutes"
            }
            (_, 0) => {
                args.set("hours", number(hours, None));
                "duration-hours"
            }
            _ => {
                args.set("hours", number(hours, None));
                // `12 u 05`: the minutes after the hours keep two digits.
                args.set("minutes", number(rest, Some(2)));
                "duration-hours-minutes"
            }
        };
        self.text_with(lang, key, &args)
    }
}

/// A whole number for a message, written with at least `digits` digits.
fn number(value: i64, digits: Option<usize>) -> FluentValue<'static> {
    let options = FluentNumberOptions {
        minimum_integer_digits: digits,
        ..FluentNumberOptions::default()
    };
    // Durations are minutes of one person's trajectory: far inside f64's exact integers.
    FluentValue::Number(FluentNumber::new(value as f64, options))
}

/// Writes a number as the messages want it. fluent-bundle keeps `minimum_integer_digits`
/// but does not apply it, so `12 u 05` would read `12 u 5`; everything else is left to it.
fn padded_number<M>(value: &FluentValue, _: &M) -> Option<String> {
    match value {
        FluentValue::Number(n) => n
            .options
            .minimum_integer_digits
            .map(|digits| format!("{:0digits$}", n.value)),
        _ => None,
    }
}

fn bundle(lang: Lang, source: &'static str) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = lang.plural_locale().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Names and numbers are set apart by the templates (`<bdi>`), not by invisible marks.
    bundle.set_use_isolating(false);
    bundle.set_formatter(Some(padded_number));
    let resource = match FluentResource::try_new(source.to_string()) {
        Ok(resource) => resource,
        // Keep what parsed; the unit tests fail on any error, so this is only a safety net.
        Err((resource, errors)) => {
            tracing::error!(lang = lang.code(), ?errors, "message file has errors");
            resource
        }
    };
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!(
            lang = lang.code(),
            ?errors,
            "message file has duplicate keys"
        );
    }
    bundle
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use fluent_syntax::ast;

    use super::*;

    /// Every message's key with the variables it uses.
    fn messages_of(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
        let resource = fluent_syntax::parser::parse(lang.source())
            .unwrap_or_else(|(_, errors)| panic!("{}: syntax errors {errors:?}", lang.code()));
        let mut found = BTreeMap::new();
        for entry in resource.body {
            match entry {
                ast::Entry::Message(message) => {
                    let variables = message.value.as_ref().map(variables_of).unwrap_or_default();
                    let previous = found.insert(message.id.name.to_string(), variables);
                    assert!(
                        previous.is_none(),
                        "{}: {} defined twice",
                        lang.code(),
                        message.id.name
                    );
                }
                ast::Entry::Term(term) => {
                    panic!("{}: unexpected term {}", lang.code(), term.id.name)
                }
                ast::Entry::Junk { content } => panic!("{}: junk {content:?}", lang.code()),
                _ => {}
            }
        }
        found
    }

    fn variables_of(pattern: &ast::Pattern<&str>) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        for element in &pattern.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                collect(expression, &mut names);
            }
        }
        names
    }

    fn collect(expression: &ast::Expression<&str>, names: &mut BTreeSet<String>) {
        match expression {
            ast::Expression::Inline(inline) => inline_variables(inline, names),
            ast::Expression::Select { selector, variants } => {
                inline_variables(selector, names);
                for variant in variants {
                    names.extend(variables_of(&variant.value));
                }
            }
        }
    }

    fn inline_variables(inline: &ast::InlineExpression<&str>, names: &mut BTreeSet<String>) {
        match inline {
            ast::InlineExpression::VariableReference { id } => {
                names.insert(id.name.to_string());
            }
            ast::InlineExpression::Placeable { expression } => collect(expression, names),
            _ => {}
        }
    }

    #[test]
    fn every_language_has_exactly_the_dutch_keys_with_the_same_variables() {
        let dutch = messages_of(Lang::Nl);
        assert!(dutch.len() > 30, "the Dutch file holds the page's texts");
        for lang in Lang::ALL {
            let other = messages_of(lang);
            let missing: Vec<_> = dutch.keys().filter(|k| !other.contains_key(*k)).collect();
            let extra: Vec<_> = other.keys().filter(|k| !dutch.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", lang.code());
            assert!(extra.is_empty(), "{} has extra keys {extra:?}", lang.code());
            for (key, variables) in &dutch {
                assert_eq!(
                    other.get(key),
                    Some(variables),
                    "{}: {key} uses other variables than in Dutch",
                    lang.code()
                );
            }
        }
    }

    #[test]
    fn every_message_formats_without_errors_and_is_not_empty() {
        let messages = messages();
        for lang in Lang::ALL {
            let bundle = messages.bundle(lang).expect("bundle");
            for (key, variables) in messages_of(lang) {
                let pattern = bundle
                    .get_message(&key)
                    .and_then(|m| m.value())
                    .unwrap_or_else(|| panic!("{}: {key} has no value", lang.code()));
                let mut args = FluentArgs::new();
                for name in &variables {
                    args.set(name.as_str(), "x");
                }
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
                assert!(errors.is_empty(), "{}: {key}: {errors:?}", lang.code());
                assert!(!text.trim().is_empty(), "{}: {key} is empty", lang.code());
            }
        }
    }

    #[test]
    fn languages_parse_and_know_their_direction() {
        for lang in Lang::ALL {
            assert_eq!(Lang::parse(lang.code()), Some(lang));
        }
        assert_eq!(Lang::parse(" AR "), Some(Lang::Ar));
        assert_eq!(Lang::parse("de"), None);
        assert_eq!(Lang::Ar.dir(), "rtl");
        assert_eq!(Lang::Prs.dir(), "rtl");
        assert_eq!(Lang::Ti.dir(), "ltr");
    }

    #[test]
    fn durations_in_words() {
        let m = messages();
        assert_eq!(m.duration(Lang::Nl, 750), "12 u 30");
        assert_eq!(m.duration(Lang::Nl, 120), "2 u");
        assert_eq!(m.duration(Lang::Nl, 45), "45 min");
        assert_eq!(m.duration(Lang::En, 750), "12 h 30 min");
        assert_eq!(
            m.duration(Lang::Nl, 65),
            "1 u 05",
            "minutes after hours keep two digits"
        );
    }

    /// The hour counts issue 22 item 8 names.
    const COUNTS: [i64; 6] = [0, 1, 2, 5, 11, 100];

    /// The CLDR plural category fluent chooses for `n` in a bundle made for `lang` the way the
    /// real ones are, read through a probe message.
    fn category(lang: Lang, n: i64) -> String {
        let probe = bundle(
            lang,
            "probe = { $n ->\n [zero] zero\n [one] one\n [two] two\n [few] few\n [many] many\n *[other] other\n}\n",
        );
        let pattern = probe
            .get_message("probe")
            .and_then(|m| m.value())
            .expect("probe");
        let mut args = FluentArgs::new();
        args.set("n", number(n, None));
        let mut errors = Vec::new();
        let chosen = probe.format_pattern(pattern, Some(&args), &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        chosen.into_owned()
    }

    /// `n` whole hours in `lang`, as the page writes them (`duration` writes 0 as minutes, so
    /// the message is asked directly).
    fn hours(lang: Lang, n: i64) -> String {
        let mut args = FluentArgs::new();
        args.set("hours", number(n, None));
        let text = messages().text_with(lang, "duration-hours", &args);
        if n > 0 {
            assert_eq!(messages().duration(lang, n * 60), text);
        }
        text
    }

    /// Per language: the CLDR category of 0, 1, 2, 5, 11 and 100 and the words the page shows.
    fn check(lang: Lang, categories: [&str; 6], texts: [&str; 6]) {
        for ((n, category_expected), text) in COUNTS.into_iter().zip(categories).zip(texts) {
            assert_eq!(
                category(lang, n),
                category_expected,
                "{}: category of {n}",
                lang.code()
            );
            assert_eq!(hours(lang, n), text, "{}: {n} hours", lang.code());
        }
    }

    const ONE_OTHER: [&str; 6] = ["other", "one", "other", "other", "other", "other"];
    /// Languages whose `one` includes 0 (French, Persian, Tigrinya).
    const ZERO_ONE_OTHER: [&str; 6] = ["one", "one", "other", "other", "other", "other"];

    #[test]
    fn hours_in_dutch_follow_its_plural_rules() {
        check(
            Lang::Nl,
            ONE_OTHER,
            ["0 u", "1 u", "2 u", "5 u", "11 u", "100 u"],
        );
    }

    #[test]
    fn hours_in_english_follow_its_plural_rules() {
        check(
            Lang::En,
            ONE_OTHER,
            ["0 h", "1 h", "2 h", "5 h", "11 h", "100 h"],
        );
    }

    #[test]
    fn hours_in_french_follow_its_plural_rules() {
        check(
            Lang::Fr,
            ZERO_ONE_OTHER,
            ["0 h", "1 h", "2 h", "5 h", "11 h", "100 h"],
        );
    }

    #[test]
    fn hours_in_arabic_take_all_six_plural_forms() {
        check(
            Lang::Ar,
            ["zero", "one", "two", "few", "many", "other"],
            [
                "0 ساعة",
                "ساعة واحدة",
                "ساعتان",
                "5 ساعات",
                "11 ساعة",
                "100 ساعة",
            ],
        );
        let m = messages();
        assert_eq!(
            m.duration(Lang::Ar, 6 * 60),
            "6 ساعات",
            "the issue's example"
        );
        assert_eq!(m.duration(Lang::Ar, 2), "دقيقتان");
        assert_eq!(m.duration(Lang::Ar, 3 * 60 + 30), "3 ساعات و30 دقيقة");
        assert_eq!(m.duration(Lang::Ar, 2 * 60 + 5), "ساعتان و05 دقائق");
    }

    #[test]
    fn hours_in_ukrainian_take_one_few_and_many() {
        check(
            Lang::Uk,
            ["many", "one", "few", "many", "many", "many"],
            [
                "0 годин",
                "1 година",
                "2 години",
                "5 годин",
                "11 годин",
                "100 годин",
            ],
        );
        let m = messages();
        assert_eq!(m.duration(Lang::Uk, 21 * 60), "21 година");
        assert_eq!(m.duration(Lang::Uk, 22 * 60 + 1), "22 години 01 хвилина");
        assert_eq!(m.duration(Lang::Uk, 12), "12 хвилин");
    }

    #[test]
    fn hours_in_dari_follow_persian_plural_rules() {
        // Dari keeps the noun singular after a number; the rules are Persian's, not the
        // English fallback (which would put 0 in `other`).
        check(
            Lang::Prs,
            ZERO_ONE_OTHER,
            [
                "0 ساعت",
                "1 ساعت",
                "2 ساعت",
                "5 ساعت",
                "11 ساعت",
                "100 ساعت",
            ],
        );
    }

    #[test]
    fn hours_in_tigrinya_follow_its_plural_rules() {
        check(
            Lang::Ti,
            ZERO_ONE_OTHER,
            ["0 ሰዓት", "1 ሰዓት", "2 ሰዓት", "5 ሰዓት", "11 ሰዓት", "100 ሰዓት"],
        );
    }
}
