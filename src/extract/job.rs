//! The job type: one request an extraction makes, tagged with the phase
//! that made it, so that its answer goes back to that phase.
//!
//! Each phase has a job type of its own that names its endpoint and builds
//! its request ([`Fetch`]). The scheduler's list of phases, written with
//! [`phases!`](crate::extract::job::phases), generates the tagged [`Job`],
//! the phases' names with their dependencies, and [`Current`] (a phase under
//! way) from those, so that a phase is registered in one line and no `match`
//! over every phase is written by hand.
//!
//! [`Job`]: super::Job
//! [`Current`]: super::Current

use crate::jira::call::{Call, Untyped};
use crate::jira::client::Api;

/// What a phase's job says about the request it stands for.
pub(crate) trait Fetch {
    /// The call: its endpoint (for the errors, scopes and hints it reports)
    /// and its request, built only shortly before it is sent. Its answer
    /// type is the phase's to know ([`Reply::decode_as`]).
    ///
    /// [`Reply::decode_as`]: crate::jira::call::Reply::decode_as
    fn call(&self, api: &Api) -> Call<Untyped>;
}

/// Declares the phases, in list order, as `Name: Type` where `Type`
/// implements [`Phase`](super::phase::Phase), followed by
/// `[after Dep, ...]` when its `start` reads facts that those phases'
/// `finish` passes on. A phase may only come after phases listed before it,
/// so that the dependencies cannot form a cycle. Generates:
/// - `Job`: one variant per phase holding that phase's job, with `From`
///   each phase's job, the endpoint and request of any job, and the phase
///   it belongs to;
/// - `PhaseId`: one variant per phase, with its dependencies and how to
///   start it;
/// - `Current`: one variant per phase holding its state, which hands each
///   answer to the phase whose job it is.
macro_rules! phases {
    ($($name:ident: $phase:ty $([after $($dep:ident),+ $(,)?])?),+ $(,)?) => {
        /// One request to make, tagged with the phase that makes it.
        #[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
        pub(crate) enum Job {
            $($name(<$phase as $crate::extract::phase::Phase>::Job),)+
        }

        $(impl From<<$phase as $crate::extract::phase::Phase>::Job> for Job {
            fn from(job: <$phase as $crate::extract::phase::Phase>::Job) -> Self {
                Job::$name(job)
            }
        })+

        impl Job {
            pub(crate) fn call(
                &self,
                api: &$crate::jira::client::Api,
            ) -> $crate::jira::call::Call<$crate::jira::call::Untyped> {
                use $crate::extract::job::Fetch as _;
                match self {
                    $(Job::$name(job) => job.call(api),)+
                }
            }

            /// The phase whose job this is, which its answer goes back to.
            pub(crate) fn phase(&self) -> PhaseId {
                match self {
                    $(Job::$name(_) => PhaseId::$name,)+
                }
            }
        }

        /// A phase by name: what the scheduler knows of it before it starts
        /// and after it finished, and what a cursor saves of the finished.
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            PartialOrd,
            Ord,
            serde::Serialize,
            serde::Deserialize,
        )]
        pub(crate) enum PhaseId {
            $($name,)+
        }

        impl PhaseId {
            /// Every phase, in list order.
            pub(crate) const ALL: &[PhaseId] = &[$(PhaseId::$name,)+];

            /// The phases whose `finish` passes on facts this phase's
            /// `start` reads: it starts once all of them finished.
            pub(crate) fn after(self) -> &'static [PhaseId] {
                match self {
                    $(PhaseId::$name => &[$($(PhaseId::$dep,)+)?],)+
                }
            }

            pub(crate) fn name(self) -> &'static str {
                match self {
                    $(PhaseId::$name => <$phase as $crate::extract::phase::Phase>::NAME,)+
                }
            }

            /// Starts the phase, with its first jobs.
            pub(crate) fn start(
                self,
                facts: &$crate::extract::phase::Facts,
                concurrency: u32,
            ) -> (Current, Vec<Job>) {
                match self {
                    $(PhaseId::$name => Current::begin::<$phase>(facts, concurrency),)+
                }
            }
        }

        /// A phase under way, with its bookkeeping.
        #[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
        pub(crate) enum Current {
            $($name($phase),)+
        }

        impl Current {
            fn begin<P: $crate::extract::phase::Phase>(
                facts: &$crate::extract::phase::Facts,
                concurrency: u32,
            ) -> (Current, Vec<Job>)
            where
                Current: From<P>,
            {
                let (phase, jobs) = P::start(facts, concurrency);
                (phase.into(), jobs.into_iter().map(Into::into).collect())
            }

            pub(crate) fn id(&self) -> PhaseId {
                match self {
                    $(Current::$name(_) => PhaseId::$name,)+
                }
            }

            pub(crate) fn name(&self) -> &'static str {
                self.id().name()
            }

            pub(crate) fn progress(&self) -> $crate::extract::phase::Tally {
                use $crate::extract::phase::Phase as _;
                match self {
                    $(Current::$name(phase) => phase.progress(),)+
                }
            }

            pub(crate) fn is_complete(&self) -> bool {
                use $crate::extract::phase::Phase as _;
                match self {
                    $(Current::$name(phase) => phase.is_complete(),)+
                }
            }

            pub(crate) fn finish(&self, facts: &mut $crate::extract::phase::Facts) {
                use $crate::extract::phase::Phase as _;
                match self {
                    $(Current::$name(phase) => phase.finish(facts),)+
                }
            }

            /// Whether `job` is one of this phase's.
            pub(crate) fn owns(&self, job: &Job) -> bool {
                job.phase() == self.id()
            }

            /// Hands the answer to one of this phase's jobs to the phase.
            pub(crate) fn handle(
                &mut self,
                job: Job,
                answer: &$crate::extract::answer::Answer,
                pending: &mut $crate::extract::phase::Pending,
            ) -> $crate::error::Result<()> {
                use $crate::extract::phase::{Phase as _, Sink};
                match (self, job) {
                    $((Current::$name(phase), Job::$name(job)) => {
                        phase.handle(job, answer, &mut Sink::new(pending))
                    })+
                    // The scheduler hands each answer to the phase its job
                    // names, and a phase queues only its own: this cannot be
                    // reached.
                    (phase, _) => Err($crate::error::Error::Other(format!(
                        "Phase {} was handed a job of another phase ({})",
                        phase.name(),
                        answer.endpoint().step()
                    ))),
                }
            }
        }

        $(impl From<$phase> for Current {
            fn from(phase: $phase) -> Self {
                Current::$name(phase)
            }
        })+
    };
}

pub(crate) use phases;
