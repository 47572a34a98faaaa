//! Languages of the pages an inburgeraar reads (Mijn traject), with their texts in Fluent
//! message files: `locales/<lang>/mijn.ftl`, one per language, compiled into the binary.
//!
//! Staff pages stay Dutch-only in their templates; only what the inburgeraar reads goes through
//! here. A missing message falls back to Dutch, so a forgotten translation shows Dutch words
//! rather than a key; the unit tests below make sure none is missing.

use std::sync::LazyLock;

use fluent_bundle::{FluentArgs, FluentResource, concurrent::FluentBundle};
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
        [lang, Lang::Nl]
            .into_iter()
            .find_map(|lang| self.format(lang, key, args))
            .unwrap_or_else(|| {
                tracing::warn!(key, "message missing in every language");
                key.to_string()
            })
    }

    fn format(&self, lang: Lang, key: &str, args: &[(&str, &str)]) -> Option<String> {
        let bundle = self.bundle(lang)?;
        let pattern = bundle.get_message(key)?.value()?;
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, *value);
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
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

    /// A duration in whole minutes, in words of `lang` (`12 u 30`, `12 h 30 min`, …).
    pub fn duration(&self, lang: Lang, minutes: i64) -> String {
        let minutes = minutes.max(0);
        let (h, m) = ((minutes / 60).to_string(), (minutes % 60).to_string());
        match (minutes / 60, minutes % 60) {
            (0, _) => self.text(lang, "duration-minutes", &[("minutes", &m)]),
            (_, 0) => self.text(lang, "duration-hours", &[("hours", &h)]),
            _ => self.text(
                lang,
                "duration-hours-minutes",
                &[("hours", &h), ("minutes", &format!("{:02}", minutes % 60))],
            ),
        }
    }
}

fn bundle(lang: Lang, source: &'static str) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = lang.code().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Names and numbers are set apart by the templates (`<bdi>`), not by invisible marks.
    bundle.set_use_isolating(false);
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
    }
}
