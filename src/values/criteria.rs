//! The four criteria an activity must meet to count toward the participation trajectory.

use serde::Serialize;

/// The criteria an activity must meet to count toward the trajectory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Criteria {
    pub contact: bool,
    pub dutch_setting: bool,
    pub new_contacts: bool,
    pub unpaid: bool,
}

/// Form field and wording of each criterion, in the order of [`Criteria::values`].
pub const CRITERIA: [(&str, &str); 4] = [
    (
        "meets_contact",
        "Contact met andere mensen, in een duo of in een groep",
    ),
    ("meets_dutch_setting", "In een Nederlandstalige omgeving"),
    (
        "meets_new_contacts",
        "Nieuwe contacten buiten de eigen kring",
    ),
    ("meets_unpaid", "Geen betaald werk"),
];

impl Criteria {
    pub fn values(self) -> [bool; 4] {
        [
            self.contact,
            self.dutch_setting,
            self.new_contacts,
            self.unpaid,
        ]
    }

    pub fn from_checked(checked: [bool; 4]) -> Self {
        let [contact, dutch_setting, new_contacts, unpaid] = checked;
        Self {
            contact,
            dutch_setting,
            new_contacts,
            unpaid,
        }
    }

    pub fn all_met(self) -> bool {
        self.values().iter().all(|met| *met)
    }

    /// (field, wording, met) for the form and the offer page.
    pub fn choices(self) -> Vec<(&'static str, &'static str, bool)> {
        CRITERIA
            .iter()
            .zip(self.values())
            .map(|((field, text), met)| (*field, *text, met))
            .collect()
    }
}
