//! Suggestions for mistyped words (field names, hosts, keys): shared by the diagnostics
//! and the secret-key check, so both call the same thing a typo.

/// The closest candidate to `word`, if it is close enough to be a likely typo: a few
/// edits away (a swap of two neighbours is one), at most a third of the word, or the
/// candidate cut short. Nothing is
/// better than a wrong guess, so a tie between two candidates suggests neither.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let allowed = (word.chars().count() / 3).max(1);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| {
            let (w, l) = (word.to_lowercase(), c.to_lowercase());
            // A word cut short (`latency` for `latency_ms`) is one slip.
            let cut_short = w.chars().count() >= 4 && l.starts_with(&w);
            (
                if cut_short {
                    1
                } else {
                    strsim::osa_distance(&w, &l)
                },
                c,
            )
        })
        .filter(|(distance, _)| *distance <= allowed)
        .collect();
    scored.sort_by_key(|(distance, _)| *distance);
    match scored.as_slice() {
        [(best, c), (next, _), ..] if best < next => Some(c),
        [(_, c)] => Some(c),
        _ => None,
    }
}
