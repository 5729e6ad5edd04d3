//! "Did you mean": the candidate nearest a misspelt name, if one is near
//! enough. The threshold is Python's (`Lib/traceback.py`): a transposition or
//! a substitution costs 2, and the total may be at most a third of the two
//! names' lengths plus one, so `pritn` finds `print` but `x` never finds `y`.

/// Names longer than this get no suggestion (Python's limit), so a
/// pathological identifier costs nothing to report.
const MAX_LENGTH: usize = 40;

/// The candidate closest to `name` by edit distance (a transposition counts
/// once), or `None` when none is close. Ties go to the alphabetically first,
/// so the answer does not depend on the candidates' order.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    if name.len() > MAX_LENGTH {
        return None;
    }
    candidates
        .into_iter()
        .filter(|c| *c != name && c.len() <= MAX_LENGTH)
        .filter_map(|c| {
            let limit = (name.len() + c.len() + 3) / 3;
            // The distance is at least the difference in length.
            if 2 * name.len().abs_diff(c.len()) > limit {
                return None;
            }
            let cost = 2 * strsim::osa_distance(name, c);
            (cost <= limit).then_some((cost, c))
        })
        .min()
        .map(|(_, c)| c)
}

/// `message`, then `. Did you mean 'near'?` when a candidate is near
/// `name`: a runtime error has only its message to suggest in (Python's
/// wording).
pub fn append<'a>(
    message: String,
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    match did_you_mean(name, candidates) {
        Some(near) => format!("{message}. Did you mean '{near}'?"),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_names_are_found() {
        let names = ["print", "len", "range", "str"];
        assert_eq!(did_you_mean("pritn", names), Some("print"));
        assert_eq!(did_you_mean("Print", names), Some("print"));
        assert_eq!(did_you_mean("lne", names), Some("len"));
        assert_eq!(did_you_mean("rnage", names), Some("range"));
    }

    #[test]
    fn far_or_short_names_are_not() {
        assert_eq!(did_you_mean("x", ["y", "z"]), None);
        assert_eq!(did_you_mean("height", ["h", "w"]), None);
        assert_eq!(did_you_mean("banana", ["print"]), None);
        assert_eq!(
            did_you_mean(&"a".repeat(41), ["a".repeat(41).as_str()]),
            None
        );
    }

    #[test]
    fn a_message_gets_the_suggestion_if_any() {
        let msg = || "list has no attribute 'pusj'".to_string();
        assert_eq!(
            append(msg(), "pusj", ["pop", "push"]),
            "list has no attribute 'pusj'. Did you mean 'push'?"
        );
        assert_eq!(append(msg(), "pusj", ["sort"]), msg());
    }

    #[test]
    fn ties_go_to_the_first_in_order() {
        assert_eq!(did_you_mean("cat", ["cut", "bat"]), Some("bat"));
        assert_eq!(did_you_mean("cat", ["bat", "cut"]), Some("bat"));
    }
}
