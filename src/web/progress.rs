//! The progress bar: confirmed and pending against the requirement, with the numbers written
//! out (the bar's two parts differ in pattern as well as colour).

use crate::values::duration::format_minutes;

pub struct Progress {
    pub confirmed: String,
    pub pending: String,
    pub has_pending: bool,
    pub required: String,
    pub percent: i64,
    /// `w-0` … `w-100` in steps of 5 (inline styles are forbidden by the CSP).
    pub confirmed_class: String,
    pub pending_class: String,
    pub done: bool,
    /// Said when the requirement is met; placements have no certificate of their own.
    pub done_note: &'static str,
}

impl Progress {
    pub fn new(confirmed: i64, pending: i64, required: i64) -> Self {
        let required_positive = required.max(1);
        let confirmed_share = (confirmed * 100 / required_positive).clamp(0, 100);
        let pending_share = (pending * 100 / required_positive).clamp(0, 100 - confirmed_share);
        let step = |share: i64| format!("w-{}", share / 5 * 5);
        Self {
            confirmed: format_minutes(confirmed),
            pending: format_minutes(pending),
            has_pending: pending > 0,
            required: format_minutes(required),
            percent: confirmed * 100 / required_positive,
            confirmed_class: step(confirmed_share),
            pending_class: step(pending_share),
            done: confirmed >= required,
            done_note: "klaar voor het certificaat",
        }
    }

    pub fn without_certificate_note(self) -> Self {
        Self {
            done_note: "",
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Progress;

    #[test]
    fn shares_are_rounded_down_to_steps_of_five_and_never_exceed_the_bar() {
        let progress = Progress::new(1290, 300, 2400);
        assert_eq!(progress.confirmed_class, "w-50");
        assert_eq!(progress.pending_class, "w-10");
        assert_eq!(progress.confirmed, "21 u 30");
        assert_eq!(progress.percent, 53);
        let over = Progress::new(2300, 600, 2400);
        assert_eq!(over.confirmed_class, "w-95");
        assert_eq!(over.pending_class, "w-5");
        assert!(Progress::new(2400, 0, 2400).done);
    }
}
