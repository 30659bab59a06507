//! Apply mode's second pass meets the rows of the first: a change made ahead of its phase
//! is reported as made once the phase finds everything right.

use rdma_phase::{Outcome, Status};

/// The rows of a phase whose changes were made ahead of it: when it now finds everything
/// right, its first-pass rows report the changes; otherwise its own rows say what is wrong.
pub fn merge(planned: Vec<Outcome>, verified: Vec<Outcome>) -> Vec<Outcome> {
    let made = planned
        .iter()
        .any(|row| row.status == Status::Pending && row.once_done.is_some());
    if !made || verified.iter().any(|row| row.status != Status::Ok) {
        return verified;
    }
    planned
        .into_iter()
        .map(|row| match (row.status, row.once_done.clone()) {
            (Status::Pending, Some(done)) => Outcome {
                status: Status::Changed,
                message: done,
                hint: None,
                once_done: None,
                ..row
            },
            _ => row,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_made_change_that_now_reads_right_is_reported_as_made() {
        let planned = vec![Outcome::pending("would set X").once_done("Static IP set: X")];
        let merged = merge(planned, vec![Outcome::ok("Static IP already set: X")]);
        assert_eq!(merged, vec![Outcome::changed("Static IP set: X")]);
    }

    #[test]
    fn a_change_that_did_not_stick_reports_the_second_look() {
        let planned = vec![Outcome::pending("would set X").once_done("Static IP set: X")];
        let verified = vec![Outcome::fail("en5 shows no IPv4 address after the change")];
        assert_eq!(merge(planned, verified.clone()), verified);
    }

    #[test]
    fn a_phase_with_nothing_to_change_keeps_its_own_rows() {
        let planned = vec![Outcome::ok("RDMA: enabled")];
        let verified = vec![Outcome::ok("RDMA: enabled").with_value("enabled")];
        assert_eq!(merge(planned, verified.clone()), verified);
    }
}
