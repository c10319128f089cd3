//! Did-you-mean hints for the names and ids users type (`--lists`, entity
//! ids in flags and scenario files). Pure: runs only on the error path, so
//! it may look at every candidate.

use crate::model::Model;

/// The candidate closest to `typed`: one equal but for case first, else
/// the nearest within an edit distance of 2 (less than `typed`'s length,
/// so that a one-letter typo does not match every short name). Ties go to
/// the first candidate.
pub fn closest<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typed_lower = typed.to_lowercase();
    let mut best: Option<(&'a str, usize)> = None;
    for k in known {
        let lower = k.to_lowercase();
        let d = if lower == typed_lower {
            0
        } else {
            strsim::levenshtein(&typed_lower, &lower) + 1
        };
        if d <= 3 && d <= typed.chars().count() && best.is_none_or(|(_, b)| d < b) {
            best = Some((k, d));
        }
    }
    best.map(|(k, _)| k)
}

/// `; did you mean "x"?` for the closest candidate, or nothing.
pub fn hint<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    closest(typed, known).map_or_else(String::new, |k| format!("; did you mean {k:?}?"))
}

/// [`hint`] over the entity ids of `model`.
pub fn id_hint(model: &Model, typed: &str) -> String {
    hint(typed, (0..model.entities.len()).map(|i| model.id(i as u32)))
}

/// Checks that every name of `lists` is the list of some listing
/// (`known`); the message names the flag, the known lists and the closest.
pub fn check_lists(lists: &[String], known: &[String], flag: &str) -> Result<(), String> {
    for name in lists {
        if known.contains(name) {
            continue;
        }
        let its = if known.is_empty() {
            "the graph has no listings".to_string()
        } else {
            format!("the graph's lists: {}", known.join(", "))
        };
        return Err(format!(
            "{flag} {name:?}: no listing of the graph is on that list ({its}){}; \
             a name that matches nothing would count no listing at all",
            hint(name, known.iter().map(String::as_str))
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_wins_over_distance_and_far_names_are_not_suggested() {
        let known = ["BIS Entity List", "OFAC SDN", "NDAA 889"];
        assert_eq!(closest("bis entity list", known), Some("BIS Entity List"));
        assert_eq!(closest("OFAC SND", known), Some("OFAC SDN"));
        assert_eq!(closest("Unverified List", known), None);
        assert_eq!(closest("x", ["y", "ab"]), None);
    }
}
