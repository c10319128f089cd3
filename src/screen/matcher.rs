//! Candidate generation through an index and the score of a pair of names.
//!
//! Every list name (name, alt names, the name without its parenthesis) is
//! tokenised once; an inverted index maps each token, and each pair of
//! adjacent tokens written together ("sense time" → `sensetime`), to the
//! names that hold it, and a one-deletion index over the vocabulary finds
//! the tokens spelled alike (transliterations, typos). An entity is compared only with
//! the list rows that share such a key with one of its names — never with
//! every row. Hash maps here are only looked up, never iterated into output.

use std::collections::HashMap;

use strsim::jaro_winkler;

use super::normalize::{is_generic, tokens};

/// Two tokens spelled alike count as the same word from this
/// Jaro-Winkler similarity up (both at least [`FUZZY_MIN_LEN`] characters).
pub const TOKEN_SIM: f64 = 0.9;
/// Shorter tokens match only exactly.
pub const FUZZY_MIN_LEN: usize = 6;
/// Longer tokens match only exactly too: no word of a name is this long,
/// and a token's one-deletion keys cost the square of its length.
pub const FUZZY_MAX_LEN: usize = 64;
/// The words of a name that take part in matching: its first 64. A name
/// is compared word by word with each candidate's (the product of their
/// word counts); real names have far fewer.
pub const NAME_MAX_WORDS: usize = 64;
/// Token-sort compares at most this many characters of each name's sorted
/// words (Jaro-Winkler costs the product of the two lengths); real names
/// are far shorter.
pub const SORT_MAX_CHARS: usize = 1_000;
/// The weight of a generic word relative to its rarity weight.
pub const GENERIC_WEIGHT: f64 = 0.15;
/// Share of the token-set score in a name score; token-sort has the rest.
pub const SET_SHARE: f64 = 0.8;
/// Score taken off when each name has a distinctive word the other lacks.
pub const DIVERGENCE_PENALTY: f64 = 0.05;

/// The interned words of the list and of the names screened against it.
#[derive(Debug, Default)]
pub struct Vocab {
    ids: HashMap<String, u32>,
    words: Vec<String>,
    /// List rows whose names hold the word.
    df: Vec<u32>,
    generic: Vec<bool>,
    /// Rows of the list, for the rarity weight.
    rows: u32,
}

impl Vocab {
    fn intern(&mut self, w: &str) -> u32 {
        if let Some(&id) = self.ids.get(w) {
            return id;
        }
        let id = self.words.len() as u32;
        self.ids.insert(w.to_string(), id);
        self.words.push(w.to_string());
        self.df.push(0);
        self.generic.push(is_generic(w));
        id
    }

    /// The word's weight: its rarity among the list's rows,
    /// `ln(1 + N/df) / ln(1 + N)` in (0, 1], times [`GENERIC_WEIGHT`] for a
    /// generic word. A word the list does not hold weighs 1.
    pub fn weight(&self, id: u32) -> f64 {
        let n = f64::from(self.rows.max(1));
        let df = f64::from(self.df[id as usize].max(1));
        let w = (1.0 + n / df).ln() / (1.0 + n).ln();
        if self.generic[id as usize] {
            w * GENERIC_WEIGHT
        } else {
            w
        }
    }

    pub fn word(&self, id: u32) -> &str {
        &self.words[id as usize]
    }
}

/// One name of one list row, tokenised.
#[derive(Debug)]
struct ListName {
    entry: u32,
    text: String,
    toks: Vec<u32>,
}

/// A name tokenised against a vocabulary.
#[derive(Clone, Debug)]
pub struct Tokens {
    pub text: String,
    pub toks: Vec<u32>,
}

/// The index of a list's names.
#[derive(Debug)]
pub struct Index {
    pub vocab: Vocab,
    names: Vec<ListName>,
    /// Key (a word id) → names holding it, ascending.
    postings: HashMap<u32, Vec<u32>>,
    /// One-deletion neighbourhood (hashed) → words (ids), for words
    /// spelled alike.
    neighbours: HashMap<u64, Vec<u32>>,
    /// Keys held by more names than this are too common to find
    /// candidates by (unless a name has nothing rarer).
    pub cap: usize,
    /// Entries in the index (`false`: filtered out by `--sources`).
    indexed: Vec<bool>,
}

/// The names a row is known by: the name, the name without its
/// parentheses, and the alt names; distinct, in that order.
pub fn variants<'a>(name: &'a str, alt: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // Only looked up: a row of many alt names is deduplicated in linear time.
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut add = |s: String| {
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if !s.is_empty() && seen.insert(s.clone()) {
            out.push(s);
        }
    };
    for n in std::iter::once(name).chain(alt) {
        add(n.to_string());
        if let Some(a) = n.find('(') {
            let b = n[a..].find(')').map_or(n.len(), |b| a + b + 1);
            add(format!("{} {}", &n[..a], &n[b..]));
        }
    }
    out
}

/// The tokens of a name that take part in matching: at most
/// [`NAME_MAX_WORDS`].
fn name_tokens(name: &str) -> Vec<String> {
    let mut toks = tokens(name);
    toks.truncate(NAME_MAX_WORDS);
    toks
}

/// The word and its one-character deletions, hashed (FNV-1a): two words
/// one edit apart (a letter changed, added or dropped) share one of them.
fn deletions(w: &str) -> Vec<u64> {
    let cs: Vec<char> = w.chars().collect();
    let hash = |skip: usize| {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for (i, &c) in cs.iter().enumerate() {
            if i != skip {
                h = (h ^ u64::from(c)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        h
    };
    let mut out: Vec<u64> = std::iter::once(hash(usize::MAX))
        .chain((0..cs.len()).map(hash))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn fuzzy_ok(w: &str) -> bool {
    w.is_ascii() && (FUZZY_MIN_LEN..=FUZZY_MAX_LEN).contains(&w.len())
}

/// Similarity of two words: 1 when equal, their Jaro-Winkler similarity
/// when both are of a length for it (ASCII, [`FUZZY_MIN_LEN`] to
/// [`FUZZY_MAX_LEN`] bytes) and at least [`TOKEN_SIM`], else 0.
pub fn word_sim(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    if !fuzzy_ok(a) || !fuzzy_ok(b) {
        return 0.0;
    }
    let s = jaro_winkler(a, b);
    if s >= TOKEN_SIM {
        s
    } else {
        0.0
    }
}

impl Index {
    /// Indexes the names of `entries` (each a row's name variants); rows
    /// with `keep == false` count for word rarity but are not indexed.
    ///
    /// # Complexity
    /// O(total length of the names).
    pub fn build(entries: &[(Vec<String>, bool)]) -> Index {
        let mut vocab = Vocab {
            rows: entries.len() as u32,
            ..Vocab::default()
        };
        let mut names = Vec::new();
        let mut indexed = Vec::with_capacity(entries.len());
        let mut seen: Vec<u32> = Vec::new();
        for (e, (vars, keep)) in entries.iter().enumerate() {
            seen.clear();
            indexed.push(*keep);
            for v in vars {
                let toks: Vec<u32> = name_tokens(v).iter().map(|t| vocab.intern(t)).collect();
                seen.extend(&toks);
                names.push(ListName {
                    entry: e as u32,
                    text: v.clone(),
                    toks,
                });
            }
            seen.sort_unstable();
            seen.dedup();
            for &t in &seen {
                vocab.df[t as usize] += 1;
            }
        }
        let mut postings: HashMap<u32, Vec<u32>> = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            if !indexed[n.entry as usize] {
                continue;
            }
            let keys = keys(&mut vocab, &n.toks);
            for k in keys {
                let p = postings.entry(k).or_default();
                if p.last() != Some(&(i as u32)) {
                    p.push(i as u32);
                }
            }
        }
        let mut neighbours: HashMap<u64, Vec<u32>> = HashMap::new();
        for (id, w) in vocab.words.iter().enumerate() {
            if fuzzy_ok(w) && vocab.df[id] > 0 {
                for d in deletions(w) {
                    neighbours.entry(d).or_default().push(id as u32);
                }
            }
        }
        let cap = (entries.len() / 200).max(20);
        Index {
            vocab,
            names,
            postings,
            neighbours,
            cap,
            indexed,
        }
    }

    /// Tokenises a name screened against the list (new words join the
    /// vocabulary with weight 1).
    pub fn tokenise(&mut self, text: &str) -> Tokens {
        Tokens {
            text: text.to_string(),
            toks: name_tokens(text)
                .iter()
                .map(|t| self.vocab.intern(t))
                .collect(),
        }
    }

    /// Words of the list one edit from `id` (a letter changed, added or
    /// dropped: "gasprom" → `gazprom`, "chvabe" → `shvabe`) whose
    /// Jaro-Winkler similarity is at least [`TOKEN_SIM`]; ascending ids.
    pub fn alike(&self, id: u32) -> Vec<u32> {
        let w = self.vocab.word(id);
        if !fuzzy_ok(w) {
            return Vec::new();
        }
        let mut out: Vec<u32> = deletions(w)
            .iter()
            .filter_map(|d| self.neighbours.get(d))
            .flatten()
            .copied()
            .filter(|&h| h != id && word_sim(w, self.vocab.word(h)) > 0.0)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The list rows that share a key with one of `names`, ascending: the
    /// keys held by at most [`Index::cap`] names, else the rarest key.
    /// `alike` gives the spelled-alike words of a word (cached by the caller).
    pub fn candidates(
        &self,
        names: &[Tokens],
        alike: &mut dyn FnMut(&Index, u32) -> Vec<u32>,
    ) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        for n in names {
            let mut ks: Vec<u32> = Vec::new();
            for &t in &n.toks {
                ks.push(t);
                ks.extend(alike(self, t));
            }
            for w in n.toks.windows(2) {
                let joined = format!("{}{}", self.vocab.word(w[0]), self.vocab.word(w[1]));
                if let Some(&id) = self.vocab.ids.get(&joined) {
                    ks.push(id);
                }
            }
            if n.toks.len() >= 2 {
                let all: String = n.toks.iter().map(|&t| self.vocab.word(t)).collect();
                if let Some(&id) = self.vocab.ids.get(&all) {
                    ks.push(id);
                }
            }
            // Distinctive words find candidates; generic ones only for a
            // name made of nothing else ("China Electronics Technology").
            let distinctive = ks.iter().any(|&k| !self.vocab.generic[k as usize]);
            let lists: Vec<&Vec<u32>> = ks
                .iter()
                .filter(|&&k| !distinctive || !self.vocab.generic[k as usize])
                .filter_map(|k| self.postings.get(k))
                .collect();
            let rare: Vec<&&Vec<u32>> = lists.iter().filter(|p| p.len() <= self.cap).collect();
            if rare.is_empty() {
                if let Some(p) = lists.iter().min_by_key(|p| p.len()) {
                    out.extend(p.iter().map(|&i| self.names[i as usize].entry));
                }
            } else {
                for p in rare {
                    out.extend(p.iter().map(|&i| self.names[i as usize].entry));
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The names of one row, in variant order: (text, tokens).
    pub fn names_of(&self, entry: u32) -> impl Iterator<Item = (&str, &[u32])> + '_ {
        let start = self.names.partition_point(|n| n.entry < entry);
        self.names[start..]
            .iter()
            .take_while(move |n| n.entry == entry)
            .map(|n| (n.text.as_str(), n.toks.as_slice()))
    }

    pub fn is_indexed(&self, entry: u32) -> bool {
        self.indexed[entry as usize]
    }
}

/// The keys of a list name: its words and its adjacent pairs written
/// together (interned), and all its words written together.
fn keys(vocab: &mut Vocab, toks: &[u32]) -> Vec<u32> {
    let mut ks: Vec<u32> = toks.to_vec();
    for w in toks.windows(2) {
        let joined = format!("{}{}", vocab.word(w[0]), vocab.word(w[1]));
        ks.push(vocab.intern(&joined));
    }
    if toks.len() >= 3 {
        let all: String = toks.iter().map(|&t| vocab.word(t).to_string()).collect();
        ks.push(vocab.intern(&all));
    }
    ks.sort_unstable();
    ks.dedup();
    ks
}

/// How two names compare.
#[derive(Clone, Debug, PartialEq)]
pub struct NameScore {
    /// In 0..=1.
    pub score: f64,
    /// Weighted share of both names' words matched (token-set).
    pub set: f64,
    /// Jaro-Winkler of the sorted words (token-sort).
    pub sort: f64,
    /// Both names written without spaces are the same.
    pub compact: bool,
    /// Each name has a distinctive word the other lacks.
    pub divergent: bool,
}

/// Scores two tokenised names.
///
/// - token-set: words paired greedily, best similarity first (equal words
///   1, spelled-alike words their Jaro-Winkler); the score is
///   `Σ sim·(wa + wb) / (Σ wA + Σ wB)` — a weighted Dice coefficient where
///   rare words weigh most and generic words little.
/// - token-sort: Jaro-Winkler of both names' words sorted and joined.
/// - name score: `0.8·set + 0.2·sort`, less [`DIVERGENCE_PENALTY`] when each
///   side keeps a word the other lacks ("Dahua Technology" and "Dahua
///   Electronics": neither is a short form of the other); 1 when the names
///   written without spaces are equal.
///
/// # Complexity
/// O(a·b) word comparisons.
pub fn score_names(vocab: &Vocab, a: &[u32], b: &[u32]) -> NameScore {
    score_names_above(vocab, a, b, 0.0)
}

/// [`score_names`], but the token-sort part is skipped (and the score left
/// at the token-set bound) when even a perfect token-sort could not lift
/// the score to `floor`: most candidates share one word and stop here.
pub fn score_names_above(vocab: &Vocab, a: &[u32], b: &[u32], floor: f64) -> NameScore {
    if a.is_empty() || b.is_empty() {
        return NameScore {
            score: 0.0,
            set: 0.0,
            sort: 0.0,
            compact: false,
            divergent: false,
        };
    }
    let wa: Vec<f64> = a.iter().map(|&t| vocab.weight(t)).collect();
    let wb: Vec<f64> = b.iter().map(|&t| vocab.weight(t)).collect();
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, &x) in a.iter().enumerate() {
        for (j, &y) in b.iter().enumerate() {
            let s = if x == y {
                1.0
            } else {
                word_sim(vocab.word(x), vocab.word(y))
            };
            if s > 0.0 {
                pairs.push((s, i, j));
            }
        }
    }
    pairs.sort_by(|p, q| q.0.total_cmp(&p.0).then(p.1.cmp(&q.1)).then(p.2.cmp(&q.2)));
    let (mut used_a, mut used_b) = (vec![false; a.len()], vec![false; b.len()]);
    let mut matched = 0.0;
    for (s, i, j) in pairs {
        if !used_a[i] && !used_b[j] {
            used_a[i] = true;
            used_b[j] = true;
            matched += s * (wa[i] + wb[j]);
        }
    }
    let total: f64 = wa.iter().sum::<f64>() + wb.iter().sum::<f64>();
    let set = if total > 0.0 { matched / total } else { 0.0 };
    let joined_len = |t: &[u32]| t.iter().map(|&x| vocab.word(x).len()).sum::<usize>();
    let compact = a == b
        || (joined_len(a) == joined_len(b)
            && a.iter().map(|&t| vocab.word(t)).collect::<String>()
                == b.iter().map(|&t| vocab.word(t)).collect::<String>());
    if !compact && SET_SHARE * set + (1.0 - SET_SHARE) < floor {
        return NameScore {
            score: SET_SHARE * set,
            set,
            sort: 0.0,
            compact,
            divergent: false,
        };
    }
    let sorted = |t: &[u32]| {
        let mut w: Vec<&str> = t.iter().map(|&x| vocab.word(x)).collect();
        w.sort_unstable();
        let mut s = w.join(" ");
        if let Some((cut, _)) = s.char_indices().nth(SORT_MAX_CHARS) {
            s.truncate(cut);
        }
        s
    };
    let sort = jaro_winkler(&sorted(a), &sorted(b));
    let left = |used: &[bool]| used.iter().any(|&u| !u);
    let divergent = !compact && left(&used_a) && left(&used_b);
    let mut score = SET_SHARE * set + (1.0 - SET_SHARE) * sort;
    if divergent {
        score -= DIVERGENCE_PENALTY;
    }
    if compact {
        score = 1.0;
    }
    NameScore {
        score: score.clamp(0.0, 1.0),
        set,
        sort,
        compact,
        divergent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> Index {
        let rows: Vec<(Vec<String>, bool)> = [
            "DAHUA ELECTRONICS CORPORATION",
            "Megvii Technology Limited",
            "Sense Time Group",
            "GAZPROM NEFT",
            "China Mobile Limited",
            "China Telecom Corporation Limited",
        ]
        .iter()
        .map(|n| (variants(n, std::iter::empty()), true))
        .collect();
        Index::build(&rows)
    }

    fn score(ix: &mut Index, a: &str, b: &str) -> NameScore {
        let (x, y) = (ix.tokenise(a), ix.tokenise(b));
        score_names(&ix.vocab, &x.toks, &y.toks)
    }

    #[test]
    fn a_shared_word_with_a_different_business_is_divergent_and_below_the_threshold() {
        let mut ix = index();
        let s = score(&mut ix, "Dahua Technology", "DAHUA ELECTRONICS CORPORATION");
        assert!(s.divergent);
        assert!(s.score < 0.9, "{s:?}");
    }

    #[test]
    fn short_forms_spacing_and_spelling_score_high() {
        let mut ix = index();
        assert!(score(&mut ix, "Megvii", "Megvii Technology Limited").score >= 0.9);
        assert_eq!(score(&mut ix, "SenseTime", "Sense Time Group").score, 1.0);
        assert!(score(&mut ix, "Gasprom Neft", "GAZPROM NEFT").score >= 0.9);
        assert!(score(&mut ix, "China Mobile", "China Telecom Corporation Limited").score < 0.75);
    }

    #[test]
    fn candidates_come_from_distinctive_words_and_spelled_alike_ones() {
        let mut ix = index();
        let q = vec![ix.tokenise("Gasprom Neft Trading")];
        let found = ix.candidates(&q, &mut |ix: &Index, t| ix.alike(t));
        assert_eq!(found, vec![3]);
        let q = vec![ix.tokenise("Unknown Electronics")];
        assert!(ix
            .candidates(&q, &mut |ix: &Index, t| ix.alike(t))
            .is_empty());
    }
}
