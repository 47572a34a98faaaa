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

/// The wording of each criterion, in the order of [`Criteria::values`].
pub const CRITERIA: [&str; 4] = [
    "Contact met andere mensen, in een duo of in een groep",
    "In een Nederlandstalige omgeving",
    "Nieuwe contacten buiten de eigen kring",
    "Geen betaald werk",
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

    /// Each criterion's wording with whether it is met, in the order of [`Criteria::values`].
    pub fn worded(self) -> [(&'static str, bool); 4] {
        let met = self.values();
        std::array::from_fn(|i| (CRITERIA[i], met[i]))
    }
}
