//! What an extraction shows while it runs and prints when it ends: a
//! progress bar per phase ([`Reporter`]) and the summary table ([`Summary`]).

use std::path::Path;
use std::time::Duration;

use extractor_jira::record;

use super::session::Startup;
use crate::access;
use crate::outbound::RecordedRequest;
use crate::pool::PoolStats;
use crate::runtime::Compiled;
use crate::runtime::types::Batch;

/// Shows an extraction's progress: a bar per phase on a terminal, plain
/// lines when piped or in CI, where a bar would only litter the log.
/// Independent phases run at once, so their batches interleave: each phase
/// keeps its own bar, all shown together.
pub enum Reporter {
    Plain,
    Bars {
        bars: indicatif::MultiProgress,
        /// Each phase's bar, in the order the phases first reported.
        phases: Vec<(String, indicatif::ProgressBar)>,
    },
}

impl Reporter {
    pub fn new() -> Self {
        use std::io::IsTerminal as _;
        if std::io::stderr().is_terminal() && std::env::var_os("CI").is_none() {
            Reporter::Bars {
                bars: indicatif::MultiProgress::new(),
                phases: Vec::new(),
            }
        } else {
            Reporter::Plain
        }
    }

    /// A new bar for a phase: with a length once its total is known, else
    /// a spinner with a count.
    fn bar(phase: &str, total: Option<u64>) -> indicatif::ProgressBar {
        let bar = match total {
            Some(total) => indicatif::ProgressBar::new(total).with_style(
                indicatif::ProgressStyle::with_template(
                    "  {prefix:<20} [{bar:30}] {pos:>7}/{len:7} {elapsed_precise}",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            ),
            None => indicatif::ProgressBar::new_spinner().with_style(
                indicatif::ProgressStyle::with_template(
                    "  {prefix:<20} {spinner} {pos:>7} {elapsed_precise}",
                )
                .expect("a valid template"),
            ),
        };
        bar.set_prefix(phase.to_owned());
        bar
    }

    pub fn batch(&mut self, batch: &Batch) {
        let p = &batch.progress;
        match self {
            Reporter::Plain => {
                let total = p.total.map(|t| format!("/{t}")).unwrap_or_default();
                eprintln!(
                    "  {:<20} {:>7}{total}  (+{} entities, +{} relations, +{} entitlements)",
                    p.phase,
                    p.done,
                    batch.entities.len(),
                    batch.relations.len(),
                    batch.entitlements.len()
                );
            }
            Reporter::Bars { bars, phases } => {
                let i = match phases.iter().position(|(name, _)| *name == p.phase) {
                    Some(i) => i,
                    None => {
                        let bar = bars.add(Self::bar(&p.phase, p.total));
                        phases.push((p.phase.clone(), bar));
                        phases.len() - 1
                    }
                };
                let bar = &phases[i].1;
                if let Some(total) = p.total {
                    bar.set_length(total);
                }
                bar.set_position(p.done);
            }
        }
    }

    pub fn finish(&self) {
        if let Reporter::Bars { phases, .. } = self {
            for (_, bar) in phases {
                bar.finish();
            }
        }
    }
}

impl Default for Reporter {
    fn default() -> Self {
        Self::new()
    }
}

/// What an extraction run produced, for the summary and for tests.
#[derive(Debug, Default)]
pub struct Summary {
    pub entity_counts: Vec<(String, usize)>,
    pub relation_counts: Vec<(String, usize)>,
    /// Entitlements by privilege name.
    pub entitlement_counts: Vec<(String, usize)>,
    pub requests: usize,
    /// Requests sent again after a failed attempt.
    pub retries: usize,
    pub batches: usize,
    /// How long writing the output took, for the formats written at the end
    /// (json, balkanid).
    pub write_time: Option<Duration>,
    /// The records the privileged counts need, indexed as they arrive.
    access: access::Index,
    /// Site admins, product admins and project admins, counted by
    /// [`Summary::count_privileged`]; `None` after a resumed run, which
    /// saw only part of the records.
    pub privileged: Option<access::Counts>,
    /// The run carried on from a resume cursor.
    pub resumed: bool,
    /// What the organization admin API said of the users, when it was read.
    pub activity: Option<Activity>,
    /// What the connection pool did.
    pub connections: Option<PoolStats>,
    /// The host's own time before the first request.
    pub startup: Option<Startup>,
}

/// Users by what the organization said: counted from each user entity's
/// `orgRecord`, `dormant` and `lastActive`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Activity {
    /// In the organization and dormant (never active, or not within the window).
    pub dormant: usize,
    /// In the organization and never active in any product (also dormant).
    pub never_active: usize,
    /// Jira users the organization did not return.
    pub unknown_to_org: usize,
}

impl Summary {
    /// Counts a batch's records: entities and relations by type,
    /// entitlements by privilege name.
    pub fn count(&mut self, batch: &Batch) {
        for e in &batch.entities {
            add_one(&mut self.entity_counts, &e.kind);
            if e.kind == "user" {
                self.count_activity(e);
            }
            if access::Index::wants_entity(&e.kind) {
                self.access.add_entity(&record::entity_object(e));
            }
        }
        for r in &batch.relations {
            add_one(&mut self.relation_counts, &r.kind);
            if access::Index::wants_relation(&r.kind) {
                self.access.add_relation(&record::relation_object(r));
            }
        }
        for e in &batch.entitlements {
            add_one(&mut self.entitlement_counts, &e.privilege_name);
        }
        self.batches += 1;
    }

    fn count_activity(&mut self, user: &crate::runtime::types::Entity) {
        use crate::runtime::types::Value;
        let attr = |name: &str| {
            user.attributes
                .iter()
                .find(|a| a.name == name)
                .map(|a| &a.value)
        };
        let Some(Value::Boolean(in_org)) = attr("orgRecord") else {
            return;
        };
        let activity = self.activity.get_or_insert_with(Activity::default);
        if !in_org {
            activity.unknown_to_org += 1;
            return;
        }
        if matches!(attr("dormant"), Some(Value::Boolean(true))) {
            activity.dormant += 1;
        }
        if matches!(attr("lastActive"), Some(Value::Null)) {
            activity.never_active += 1;
        }
    }

    /// Resolves the three privileged tiers over every record counted, and
    /// lets the index go. Call it once, after a run that saw every record.
    pub fn count_privileged(&mut self) {
        let mut ix = std::mem::take(&mut self.access);
        ix.finish();
        self.privileged = Some(access::counts(&ix));
    }

    /// Counts the requests sent, and of those the repeats of an earlier one.
    /// Only reads by URL count as repeats: the organization's searches are
    /// `POST`s to one URL, told apart by their bodies, which are not logged.
    pub fn count_requests(&mut self, log: &[RecordedRequest]) {
        let reads: Vec<(&str, &str)> = log
            .iter()
            .filter(|r| r.method == "GET")
            .map(|r| (r.method.as_str(), r.url.as_str()))
            .collect();
        let distinct: std::collections::HashSet<&(&str, &str)> = reads.iter().collect();
        self.requests = log.len();
        self.retries = reads.len() - distinct.len();
    }

    /// Prints the table on standard error. `minimum` is the fewest requests
    /// the tenant needs, when known; `out` where the output was written.
    pub fn print(
        &self,
        minimum: Option<u64>,
        elapsed: Duration,
        peak_memory: usize,
        out: Option<&Path>,
    ) {
        let minimum = minimum
            .map(|m| format!(" (the tenant's minimum: {m})"))
            .unwrap_or_default();
        eprintln!();
        eprintln!("  {:<12} {:<20} {:>9}", "", "type", "count");
        for (kind, n) in &self.entity_counts {
            eprintln!("  {:<12} {kind:<20} {n:>9}", "entities");
        }
        for (kind, n) in &self.relation_counts {
            eprintln!("  {:<12} {kind:<20} {n:>9}", "relations");
        }
        for (privilege, n) in &self.entitlement_counts {
            eprintln!("  {:<12} {privilege:<20} {n:>9}", "entitlements");
        }
        eprintln!(
            "  {:<12} {:<20} {:>9}{minimum}",
            "requests", "", self.requests
        );
        eprintln!("  {:<12} {:<20} {:>9}", "retries", "", self.retries);
        eprintln!("  {:<12} {:<20} {:>9}", "batches", "", self.batches);
        eprintln!(
            "  {:<12} {:<20} {:>9.2} s",
            "time",
            "",
            elapsed.as_secs_f64()
        );
        // The host's own time, outside the requests.
        if let Some(s) = &self.startup {
            let load = match s.compiled {
                Compiled::Cache(_) => "compile (cached)",
                Compiled::Now { .. } => "compile",
            };
            eprintln!(
                "  {:<12} {load:<20} {:>9.2} s",
                "host",
                s.load.as_secs_f64()
            );
            eprintln!(
                "  {:<12} {:<20} {:>9.2} s",
                "",
                "instantiate",
                s.instantiate.as_secs_f64()
            );
        }
        if let Some(write) = self.write_time {
            eprintln!(
                "  {:<12} {:<20} {:>9.2} s",
                if self.startup.is_some() { "" } else { "host" },
                "writing the output",
                write.as_secs_f64()
            );
        }
        if let Some(c) = &self.connections {
            eprintln!(
                "  {:<12} {:<20} {:>9}",
                "connections", "opened", c.connections
            );
            eprintln!(
                "  {:<12} {:<20} {:>9}",
                "", "TLS handshakes", c.tls_handshakes
            );
            eprintln!("  {:<12} {:<20} {:>9}", "", "HTTP/2", c.http2_connections);
            eprintln!(
                "  {:<12} {:<20} {:>9.1}",
                "",
                "requests each",
                c.requests_per_connection()
            );
        }
        eprintln!(
            "  {:<12} {:<20} {:>9.1} MiB",
            "memory",
            "guest peak",
            peak_memory as f64 / (1024.0 * 1024.0)
        );
        if let Some(path) = out {
            eprintln!("  written to {}", path.display());
        }
        if let Some(a) = &self.activity {
            for (what, n) in [
                ("dormant", a.dormant),
                ("never active", a.never_active),
                ("unknown to the org", a.unknown_to_org),
            ] {
                eprintln!("  {:<12} {what:<20} {n:>9}", "users");
            }
        }
        // The three counts a review starts from come last.
        if let Some(c) = &self.privileged {
            for (tier, n) in [
                ("site admins", c.site_admins),
                ("product admins", c.product_admins),
                ("project admins", c.project_admins),
            ] {
                eprintln!("  {:<12} {tier:<20} {n:>9}", "privileged");
            }
        } else if self.resumed {
            eprintln!(
                "  privileged: not counted, as this run carried on from a cursor and saw only part of the records"
            );
        }
    }
}

/// Adds one to `kind`'s count, keeping the counts in type order.
fn add_one(counts: &mut Vec<(String, usize)>, kind: &str) {
    match counts.binary_search_by(|(k, _)| k.as_str().cmp(kind)) {
        Ok(i) => counts[i].1 += 1,
        Err(i) => counts.insert(i, (kind.to_owned(), 1)),
    }
}
