//! The job reader: the leading sentences that say who, what and for whom (the preamble),
//! then, in the body, whole sentences addressed to the secretary ("Copy this to the
//! patient.", "Actually, make this one urgent please.", "Secretary, please book ...").
//!
//! A body sentence is only taken out when all of it is such an instruction: "we discussed an
//! urgent referral" and "copies of the scan" stay letter text.

use std::sync::OnceLock;

use chrono::NaiveDate;
use regex::Regex;

use super::people::{self, Person};
use super::said;
use super::words::{Sentence, Tok, sentences};
use super::{Doubt, Heard, Reading};
use crate::dictation::spoken_date;
use crate::workflow::Priority;

/// Cues a preamble sentence can carry; `Weak` ones (a bare name, a priority) make a sentence
/// preamble only when almost nothing else is in it, a `Heading` (a work type: "Renal clinic
/// letter.") when at most two other words are.
#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Cue {
    None,
    Weak,
    Heading,
    Strong,
}

/// Words that may stand in a preamble sentence without being a field.
const FILLER: [&str; 24] = [
    "this", "is", "a", "an", "the", "please", "and", "oh", "also", "one", "priority", "it", "make",
    "actually", "no", "mark", "as", "letter", "be", "should", "ok", "okay", "right", "so",
];

#[derive(Clone)]
struct State {
    today: NaiveDate,
    reading: Reading,
    /// Each priority said and whether it was said as a correction.
    priorities: Vec<(Priority, bool)>,
    /// Patients named so far (fields after the second one are not the job's).
    patients: usize,
    spoken_patient: Option<Person>,
    /// The word index just after the author's name in the current sentence.
    author_ends: Option<usize>,
    /// A work type was said in the current sentence ("referral letter to ...").
    after_template: bool,
}

pub(super) fn read(raw: &str, today: NaiveDate) -> Reading {
    let mut st = State {
        today,
        reading: Reading::default(),
        priorities: Vec::new(),
        patients: 0,
        spoken_patient: None,
        author_ends: None,
        after_template: false,
    };
    let mut keep: Vec<(usize, usize)> = Vec::new();
    let mut in_preamble = true;
    for s in sentences(raw) {
        if in_preamble {
            let mut trial = st.clone();
            match trial.preamble_sentence(&s, raw) {
                Some(None) => {
                    st = trial;
                    st.reading.preamble.push((s.start, s.end));
                    continue;
                }
                Some(Some(letter_from)) => {
                    st = trial;
                    st.reading.preamble.push((s.start, letter_from));
                    keep.push((letter_from, s.end));
                    in_preamble = false;
                    continue;
                }
                None => in_preamble = false,
            }
        }
        if !st.addressed_sentence(&s, raw) {
            keep.push((s.start, s.end));
        }
    }
    st.settle_priority();
    let mut r = st.reading;
    r.body = keep
        .iter()
        .map(|&(a, b)| raw[a..b].trim())
        .collect::<Vec<_>>()
        .join(" ");
    r
}

impl State {
    fn heard(&mut self, field: &'static str, toks: &[Tok]) {
        if let (Some(a), Some(b)) = (toks.first(), toks.last()) {
            self.reading.heard.push(Heard {
                field,
                start: a.start,
                end: b.end,
            });
        }
    }

    /// Reads one sentence of the preamble: `None` when it is not one, else where in it the
    /// letter starts, if it does ("... copy to the patient, dear Dr Patel, thank you ...").
    fn preamble_sentence(&mut self, s: &Sentence, raw: &str) -> Option<Option<usize>> {
        let toks = &s.toks[..greeting_at(&s.toks).unwrap_or(s.toks.len())];
        if toks.is_empty() {
            return None;
        }
        let mut used = vec![false; toks.len()];
        let mut cue = Cue::None;
        let mut i = 0;
        self.after_template = false;
        self.author_ends = None;
        while i < toks.len() {
            let (next, c) = self.cue_at(toks, i, raw, s);
            if c == Cue::None {
                i += 1;
                continue;
            }
            cue = if c > cue { c } else { cue };
            for u in &mut used[i..next.min(toks.len())] {
                *u = true;
            }
            i = next.max(i + 1);
        }
        let loose = toks
            .iter()
            .zip(&used)
            .filter(|(t, u)| !**u && !FILLER.contains(&t.low.as_str()))
            .count();
        let accepted = match cue {
            Cue::Strong => true,
            Cue::Heading => loose <= 2,
            Cue::Weak => loose <= 1,
            Cue::None => false,
        };
        if !accepted {
            return None;
        }
        self.unannounced_date(toks, &used, raw);
        // Words after the last field that are not about the job are the letter, run on
        // into the same sentence by the recogniser: they stay.
        let last_used = used.iter().rposition(|u| *u).map_or(0, |k| k + 1);
        let tail = toks[last_used..]
            .iter()
            .filter(|t| !FILLER.contains(&t.low.as_str()))
            .count();
        let letter_from = if toks.len() < s.toks.len() {
            Some(s.toks[toks.len()].start)
        } else {
            None
        };
        Some(if tail >= 4 {
            Some(toks[last_used].start)
        } else {
            letter_from
        })
    }

    /// The cue at `toks[i]`: the index after it and how strong it is.
    fn cue_at(&mut self, toks: &[Tok], i: usize, raw: &str, s: &Sentence) -> (usize, Cue) {
        let t = &toks[i];
        // Dates of birth and record numbers first: their words are never names.
        if let Some(n) = said::any(
            toks,
            i,
            &[
                &["date", "of", "birth"],
                &["d", "o", "b"],
                &["dob"],
                &["d.o.b"],
            ],
        ) {
            return (self.dob(toks, i + n, raw, s), Cue::Strong);
        }
        if let Some(n) = said::any(toks, i, &[&["born", "on"], &["born"]])
            && let Some(end) = self.try_dob(toks, i + n, raw, s)
        {
            return (end, Cue::Strong);
        }
        if let Some(n) = said::any(
            toks,
            i,
            &[
                &["hospital", "number"],
                &["hospital", "no"],
                &["nhs", "number"],
                &["nhs", "no"],
                &["unit", "number"],
                &["record", "number"],
                &["case", "number"],
                &["patient", "number"],
                &["mrn"],
                &["m", "r", "n"],
            ],
        ) {
            return (self.record_number(toks, i + n), Cue::Strong);
        }
        if let Some(n) = said::copies(toks, i) {
            let end = list_end(toks, i + n);
            self.reading.job.cc.extend(said::list(&toks[i + n..end]));
            self.heard("cc", &toks[i + n..end]);
            return (end, Cue::Strong);
        }
        if let Some(n) = said::enclosures(toks, i) {
            let end = list_end(toks, i + n);
            self.reading
                .job
                .enclosures
                .extend(said::list(&toks[i + n..end]));
            return (end, Cue::Strong);
        }
        if let Some((p, n)) = said::priority(toks, i) {
            let corrected = toks[i.saturating_sub(5)..i]
                .iter()
                .any(|t| said::CORRECTING.contains(&t.low.as_str()));
            self.priorities.push((p, corrected));
            return (i + n, Cue::Weak);
        }
        if let Some(v) = said::instruction(toks, i, true) {
            self.instruction(&toks[v..], raw, s);
            return (toks.len(), Cue::Strong);
        }
        if let Some((template, n)) = said::template(toks, i) {
            self.reading.job.template = Some(template.to_string());
            self.after_template = true;
            return (i + n, Cue::Heading);
        }
        let addressed = toks
            .get(i + 1)
            .is_some_and(|n| n.is("the") || people::title(n).is_some());
        let after_author = i > 0 && self.author_ends == Some(i);
        if t.is("to") && addressed && (self.after_template || after_author) {
            let end = recipient_end(toks, i + 1);
            if end > i + 1 {
                let a = people::addressee(&toks[i + 1..end]);
                let r = &mut self.reading.job.recipient;
                r.name = r.name.take().or(a.name);
                r.role = r.role.take().or(a.role);
                r.organisation = r.organisation.take().or(a.organisation);
                r.address = r.address.take().or(a.address);
                self.heard("recipient", &toks[i + 1..end]);
                return (end, Cue::Strong);
            }
        }
        if said::starts(toks, i, &["this", "is"])
            && let Some((p, next)) = people::person(toks, i + 2)
        {
            self.reading.job.author = Some(p.written());
            self.heard("author", &toks[i + 2..next]);
            return (self.skip_dictating(toks, next), Cue::Strong);
        }
        if said::starts(toks, i, &["dictated", "by"])
            && let Some((p, next)) = people::person(toks, i + 2)
        {
            self.reading.job.author = Some(p.written());
            return (next, Cue::Strong);
        }
        if let Some(n) = said::any(
            toks,
            i,
            &[
                &["the", "patient", "is"],
                &["patient's", "name", "is"],
                &["patient", "is"],
                &["patient"],
                &["regarding"],
                &["re"],
                &["about"],
                &["for"],
            ],
        ) && let Some((p, next)) = people::person(toks, i + n)
        {
            // "Dictation for Dr Harrington": a clinician after "for" is whose work it is.
            if t.is("for") && people::clinician(p.title) {
                if self.reading.job.author.is_none() {
                    self.reading.job.author = Some(p.written());
                    self.heard("author", &toks[i + n..next]);
                }
                return (next, Cue::Weak);
            }
            let corrected = correcting(toks, i);
            self.patient(p, corrected, &toks[i + n..next]);
            return (self.spelling(toks, next), Cue::Strong);
        }
        if let Some((p, next)) = people::person(toks, i) {
            let dictating = self.skip_dictating(toks, next);
            if dictating > next || (self.reading.job.author.is_none() && people::clinician(p.title))
            {
                self.reading.job.author = Some(p.written());
                self.heard("author", &toks[i..next]);
                self.author_ends = Some(next);
                return (
                    dictating,
                    if dictating > next {
                        Cue::Strong
                    } else {
                        Cue::Weak
                    },
                );
            }
            self.patient(p, correcting(toks, i), &toks[i..next]);
            return (self.spelling(toks, next), Cue::Weak);
        }
        (i, Cue::None)
    }

    /// After an author's name: ", diabetes specialist nurse, dictating" or " here".
    fn skip_dictating(&self, toks: &[Tok], next: usize) -> usize {
        (next..(next + 5).min(toks.len()))
            .find(|&k| matches!(toks[k].low.as_str(), "dictating" | "here" | "speaking"))
            .filter(|&k| (next..k).all(|m| people::title(&toks[m]).is_none()))
            .map_or(next, |k| k + 1)
    }

    fn patient(&mut self, p: Person, corrected: bool, toks: &[Tok]) {
        if corrected && self.patients > 0 {
            self.reading.job.patient.name = Some(p.written());
            self.spoken_patient = Some(p);
            self.heard("patient.name", toks);
            return;
        }
        self.patients += 1;
        if self.patients == 1 {
            self.reading.job.patient.name = Some(p.written());
            self.spoken_patient = Some(p);
            self.heard("patient.name", toks);
        } else {
            self.reading.doubts.push(Doubt::TwoPatients {
                second: p.written(),
            });
        }
    }

    /// "that's S M Y T H" after a name: the spelling is the name.
    fn spelling(&mut self, toks: &[Tok], next: usize) -> usize {
        let Some(n) = said::any(
            toks,
            next,
            &[
                &["that's"],
                &["thats"],
                &["that", "is"],
                &["spelled"],
                &["spelt"],
            ],
        ) else {
            return next;
        };
        let letters: String = toks[next + n..]
            .iter()
            .take_while(|t| t.core.chars().count() == 1 && t.core.chars().all(char::is_alphabetic))
            .map(|t| t.core.to_lowercase())
            .collect();
        if letters.chars().count() < 2 {
            return next;
        }
        let end = next + n + letters.chars().count();
        if self.patients == 1
            && let Some(p) = &mut self.spoken_patient
            && let Some(last) = p.names.last_mut()
        {
            *last = people::cap(&letters);
            self.reading.job.patient.name = Some(p.written());
        }
        end
    }

    fn try_dob(&mut self, toks: &[Tok], from: usize, raw: &str, s: &Sentence) -> Option<usize> {
        let start = toks.get(from)?.start;
        let child = self
            .spoken_patient
            .as_ref()
            .is_some_and(|p| p.title == "Master");
        let (date, n) = spoken_date::parse_prefix(&raw[start..s.end], self.today, child)?;
        let end = (from + n).min(toks.len());
        if self.patients <= 1 {
            self.reading.job.patient.dob = Some(date);
            self.heard("patient.dob", &toks[from..end]);
        }
        Some(end)
    }

    /// After "date of birth": the date, or a doubt when what follows is not one.
    fn dob(&mut self, toks: &[Tok], from: usize, raw: &str, s: &Sentence) -> usize {
        let from = if toks.get(from).is_some_and(|t| t.is("is")) {
            from + 1
        } else {
            from
        };
        if let Some(end) = self.try_dob(toks, from, raw, s) {
            return end;
        }
        let end = clause_end(toks, from);
        if self.patients <= 1 && end > from {
            self.reading.doubts.push(Doubt::Unreadable {
                field: "patient.dob",
                heard: raw[toks[from].start..toks[end - 1].end].to_string(),
            });
            self.heard("patient.dob", &toks[from..end]);
        }
        end
    }

    fn record_number(&mut self, toks: &[Tok], from: usize) -> usize {
        let from = if toks.get(from).is_some_and(|t| t.is("is")) {
            from + 1
        } else {
            from
        };
        if let Some((code, n)) = super::record_number::read(&toks[from..]) {
            if self.patients <= 1 {
                self.reading.job.patient.mrn = Some(code);
                self.heard("patient.mrn", &toks[from..from + n]);
            }
            return from + n;
        }
        // What could not be read runs to the next thing said about the job, not beyond.
        let end = (from + 1..toks.len())
            .find(|&k| {
                said::priority(toks, k).is_some()
                    || said::copies(toks, k).is_some()
                    || said::enclosures(toks, k).is_some()
                    || toks[k].is("date")
                    || toks[k].is("regarding")
            })
            .unwrap_or(toks.len());
        if self.patients <= 1 && end > from {
            let heard = toks[from..end]
                .iter()
                .map(|t| t.core)
                .collect::<Vec<_>>()
                .join(" ");
            self.reading.doubts.push(Doubt::Unreadable {
                field: "patient.mrn",
                heard,
            });
            self.heard("patient.mrn", &toks[from..end]);
        }
        end
    }

    fn instruction(&mut self, toks: &[Tok], raw: &str, s: &Sentence) {
        let Some(first) = toks.first() else { return };
        let text = raw[first.start..s.end].trim_end_matches(['.', '!', '?', ' ']);
        let mut c = text.chars();
        let text = c
            .next()
            .map(|f| f.to_lowercase().collect::<String>() + c.as_str())
            .unwrap_or_default();
        self.reading.job.instructions.push(format!("please {text}"));
        self.heard("instructions", toks);
    }

    /// A whole body sentence addressed to the secretary: read it and leave it out of the body.
    fn addressed_sentence(&mut self, s: &Sentence, raw: &str) -> bool {
        let toks = &s.toks;
        let mut i = 0;
        let mut corrected = false;
        while let Some(t) = toks.get(i) {
            if !matches!(
                t.low.as_str(),
                "oh" | "and" | "also" | "actually" | "ok" | "okay" | "right" | "sorry" | "so"
            ) {
                break;
            }
            corrected |= said::CORRECTING.contains(&t.low.as_str());
            i += 1;
        }
        if let Some(v) = said::instruction(toks, i, false) {
            self.instruction(&toks[v..], raw, s);
            return true;
        }
        if let Some(n) = said::copies(toks, i) {
            self.reading.job.cc.extend(said::list(&toks[i + n..]));
            return true;
        }
        if let Some(n) = said::enclosures(toks, i) {
            self.reading
                .job
                .enclosures
                .extend(said::list(&toks[i + n..]));
            return true;
        }
        if said::starts(toks, i, &["dictated", "by"])
            && let Some((p, next)) = people::person(toks, i + 2)
            && next == toks.len()
        {
            self.reading.job.author = Some(p.written());
            return true;
        }
        // "Make this one urgent please", "This is routine", "Please mark it urgent".
        let rest: Vec<&str> = toks[i..].iter().map(|t| t.low.as_str()).collect();
        let mut k = 0;
        while k < rest.len() && said::priority(&toks[i..], k).is_none() {
            if !matches!(
                rest[k],
                "please"
                    | "mark"
                    | "make"
                    | "change"
                    | "put"
                    | "it"
                    | "this"
                    | "one"
                    | "is"
                    | "the"
                    | "letter"
                    | "as"
                    | "to"
                    | "down"
                    | "it's"
            ) {
                return self.template_change(toks, i);
            }
            corrected |= said::CORRECTING.contains(&rest[k]);
            k += 1;
        }
        let Some((p, n)) = said::priority(&toks[i..], k) else {
            return false;
        };
        if toks[i + k + n..].iter().any(|t| !t.is("please")) {
            return false;
        }
        self.priorities.push((p, corrected));
        true
    }

    /// "Change of template, make this a discharge summary."
    fn template_change(&mut self, toks: &[Tok], i: usize) -> bool {
        let mut k = i;
        if said::starts(toks, k, &["change", "of", "template"]) {
            k += 3;
        }
        let Some(n) = said::any(
            toks,
            k,
            &[
                &["make", "this", "a"],
                &["make", "this", "an"],
                &["make", "it", "a"],
            ],
        ) else {
            return false;
        };
        match said::template(toks, k + n) {
            Some((t, m)) if k + n + m == toks.len() => {
                self.reading.job.template = Some(t.to_string());
                true
            }
            _ => false,
        }
    }

    /// A date in the preamble's words that no field took, when no date of birth was read.
    fn unannounced_date(&mut self, toks: &[Tok], used: &[bool], raw: &str) {
        static DATE: OnceLock<Option<Regex>> = OnceLock::new();
        let Some(re) = DATE
            .get_or_init(|| {
                Regex::new(
                    r"(?i)\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(?:of\s+)?(?:19|20)\d\d\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b",
                )
                .ok()
            })
            .as_ref()
        else {
            return;
        };
        let dob_doubt = self.reading.doubts.iter().any(|d| {
            matches!(
                d,
                Doubt::Unreadable {
                    field: "patient.dob",
                    ..
                } | Doubt::UnannouncedDate { .. }
            )
        });
        if self.reading.job.patient.dob.is_some() || dob_doubt {
            return;
        }
        // The free words, as runs of unused tokens.
        let mut k = 0;
        while k < toks.len() {
            if used[k] {
                k += 1;
                continue;
            }
            let start = k;
            while k < toks.len() && !used[k] {
                k += 1;
            }
            let text = &raw[toks[start].start..toks[k - 1].end];
            if let Some(m) = re.find(text) {
                let from = text[..m.start()].rfind(' ').map_or(0, |i| i + 1);
                self.reading.doubts.push(Doubt::UnannouncedDate {
                    heard: text[from..m.end()].to_string(),
                });
                self.heard("patient.dob", &toks[start..k]);
                return;
            }
        }
    }

    /// One priority, or none and a doubt when two were said without a correction between.
    fn settle_priority(&mut self) {
        let mut current: Option<Priority> = None;
        let mut conflict = false;
        for &(p, corrected) in &self.priorities {
            match current {
                Some(c) if c != p && !corrected => conflict = true,
                _ => current = Some(p),
            }
        }
        if conflict {
            let mut said: Vec<Priority> = Vec::new();
            for (p, _) in &self.priorities {
                if !said.contains(p) {
                    said.push(*p);
                }
            }
            self.reading
                .doubts
                .push(Doubt::ConflictingPriority { said });
        } else {
            self.reading.job.priority = current;
        }
    }
}

/// "sorry, Mr Tom Barker": the name corrects the one before.
fn correcting(toks: &[Tok], i: usize) -> bool {
    toks[i.saturating_sub(3)..i]
        .iter()
        .any(|t| matches!(t.low.as_str(), "sorry" | "correction" | "mean" | "rather"))
}

/// Where a list of copies or enclosures ends: the sentence end, a priority, or a long run
/// of words without a break (the letter, run on by the recogniser).
fn list_end(toks: &[Tok], from: usize) -> usize {
    let mut run = 0;
    for k in from..toks.len() {
        if said::priority(toks, k).is_some() {
            return k;
        }
        run += 1;
        if run > 6 {
            return (from..k)
                .rev()
                .find(|&m| toks[m].comma)
                .map_or(from, |m| m + 1);
        }
        if toks[k].comma || toks[k].is("and") {
            run = 0;
        }
    }
    toks.len()
}

/// Where the letter's greeting starts inside a sentence: "dear", or "their"/"there" before
/// a title as the recogniser sometimes hears it.
fn greeting_at(toks: &[Tok]) -> Option<usize> {
    (0..toks.len()).find(|&k| {
        toks[k].is("dear")
            || (matches!(toks[k].low.as_str(), "their" | "there")
                && toks.get(k + 1).and_then(people::title).is_some()
                && k > 0
                && toks[k - 1].comma)
    })
}

/// Where a clause ends: after the word with a comma, or the sentence end.
fn clause_end(toks: &[Tok], from: usize) -> usize {
    (from..toks.len())
        .find(|&k| toks[k].comma)
        .map_or(toks.len(), |k| k + 1)
}

/// Where the recipient said after "to" ends: at the patient, the date of birth or the number.
fn recipient_end(toks: &[Tok], from: usize) -> usize {
    (from..toks.len())
        .find(|&k| {
            let number = toks
                .get(k + 1)
                .is_some_and(|n| n.is("number") || n.is("no"));
            match toks[k].low.as_str() {
                "hospital" | "nhs" | "unit" | "record" => number,
                w => matches!(
                    w,
                    "regarding"
                        | "re"
                        | "for"
                        | "about"
                        | "patient"
                        | "date"
                        | "dob"
                        | "urgent"
                        | "routine"
                        | "stat"
                        | "copy"
                        | "cc"
                        | "copies"
                ),
            }
        })
        .unwrap_or(toks.len())
}
