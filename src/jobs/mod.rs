//! The workers: claim a dictation's job from the store, run the library's pipeline on its
//! audio with the author's specialty vocabulary, and save the transcript once.
//!
//! Each worker keeps the shared, already-loaded Whisper model (one copy in memory, a decoding
//! state per job) and renews its job's lease while Whisper runs, so a job held by a live
//! worker is never taken over, and a job held by a dead one is taken over when its lease
//! runs out (or at once, after a restart of the only server on a data directory). Workers
//! share nothing with the web server but the store. Never logs patient text: only ids and
//! reasons.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};

use crate::asr::Transcriber;
use crate::check;
use crate::pipeline::{self, PipelineError, Settings};
use crate::store::{self, Claim, JobFailure, Store};
use crate::vocab::Vocab;

/// How long a claim lasts without renewal (ms) by default; renewed every third of it. A
/// worker that dies holding a job delays that job by at most this long (after a restart of
/// the only SQLite server, not at all).
pub const LEASE_MS: i64 = 30_000;
/// How often an idle worker looks for work when nothing wakes it.
const POLL: Duration = Duration::from_secs(2);

/// The loaded model and vocabulary the workers share.
pub struct Engine {
    pub model: Transcriber,
    pub vocab: Arc<Vocab>,
    /// Whisper threads per job.
    pub threads: usize,
    /// Where the templates are, to fill a dictation's template from the one said.
    pub templates_dir: std::path::PathBuf,
}

/// A running pool's handles: wake it when work arrives, stop it on shutdown.
#[derive(Clone)]
pub struct Pool {
    pub wake: Arc<Notify>,
    stop: watch::Sender<bool>,
}

impl Pool {
    /// Starts `n` workers named `{host}-{pid}-{i}` on the store, each claiming for
    /// `lease_ms`. With PostgreSQL they are also woken by jobs queued on other machines.
    pub fn start(
        store: Store,
        engine: Arc<Engine>,
        n: usize,
        lease_ms: i64,
    ) -> (Pool, Vec<tokio::task::JoinHandle<()>>) {
        let wake = Arc::new(Notify::new());
        let (stop, stopped) = watch::channel(false);
        let host = hostname();
        let handles = (0..n)
            .map(|i| {
                let w = Worker {
                    id: format!("{host}-{}-{i}", std::process::id()),
                    host: host.clone(),
                    store: store.clone(),
                    engine: engine.clone(),
                    wake: wake.clone(),
                    stopped: stopped.clone(),
                    lease_ms,
                };
                tokio::spawn(w.run())
            })
            .collect::<Vec<_>>();
        let mut handles = handles;
        if let Some(listener) = store.listen_for_jobs(wake.clone()) {
            // Not joined: it never ends on its own; aborting it is enough.
            let mut stopped = stopped.clone();
            handles.push(tokio::spawn(async move {
                let _ = stopped.changed().await;
                listener.abort();
            }));
        }
        (Pool { wake, stop }, handles)
    }

    /// Asks every worker to stop after its current job.
    pub fn stop(&self) {
        let _ = self.stop.send(true);
        self.wake.notify_waiters();
    }
}

pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

struct Worker {
    id: String,
    host: String,
    store: Store,
    engine: Arc<Engine>,
    wake: Arc<Notify>,
    stopped: watch::Receiver<bool>,
    lease_ms: i64,
}

impl Worker {
    async fn run(mut self) {
        let mut backoff = Duration::from_millis(500);
        while self
            .store
            .register_worker(&self.id, &self.host)
            .await
            .is_err()
        {
            if self.idle(backoff).await {
                return;
            }
            backoff = (backoff * 2).min(Duration::from_secs(30));
        }
        loop {
            if *self.stopped.borrow() {
                break;
            }
            let _ = self.store.fail_abandoned_jobs().await;
            match self.store.claim_job(&self.id, self.lease_ms).await {
                Ok(Some(claim)) => {
                    backoff = Duration::from_millis(500);
                    self.run_job(claim).await;
                }
                Ok(None) => {
                    let _ = self.store.worker_seen(&self.id, None).await;
                    if self.idle(POLL).await {
                        break;
                    }
                }
                Err(e) => {
                    eprintln!(
                        "medscribe: worker {}: the store is unavailable ({e}); retrying",
                        self.id
                    );
                    if self.idle(backoff).await {
                        break;
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                }
            }
        }
        let _ = self.store.remove_worker(&self.id).await;
    }

    /// Waits for work, a stop, or `d`; true when asked to stop.
    async fn idle(&mut self, d: Duration) -> bool {
        tokio::select! {
            _ = self.wake.notified() => {}
            _ = self.stopped.changed() => {}
            _ = tokio::time::sleep(d) => {}
        }
        *self.stopped.borrow()
    }

    async fn run_job(&self, claim: Claim) {
        let outcome = self.transcribe(&claim).await;
        let saved = match outcome {
            Ok((t, template)) => match self
                .store
                .finish_job(&claim, &self.id, &t, template.as_deref())
                .await
            {
                Err(store::Error::LostLease) => Ok(()),
                Err(e) => {
                    self.store
                        .fail_job(
                            &claim,
                            &JobFailure {
                                reason: format!("the transcript could not be saved ({e})"),
                                permanent: false,
                            },
                        )
                        .await
                }
                Ok(()) => Ok(()),
            },
            Err(f) => self.store.fail_job(&claim, &f).await,
        };
        match saved {
            Ok(()) | Err(store::Error::LostLease) => {}
            Err(e) => eprintln!(
                "medscribe: worker {}: dictation {}: could not record the outcome ({e}); the job \
                 will be retried when its lease runs out",
                self.id, claim.dictation_id
            ),
        }
    }

    /// Runs the pipeline off the async threads, renewing the lease while it works; gives the
    /// transcript and the template for the work type the author said, if there is one.
    async fn transcribe(
        &self,
        claim: &Claim,
    ) -> Result<(crate::transcript::Transcript, Option<String>), JobFailure> {
        let transient = |reason: String| JobFailure {
            reason,
            permanent: false,
        };
        let d = match self.store.dictation(&claim.dictation_id).await {
            Ok(Some(d)) => d,
            Ok(None) => {
                return Err(JobFailure {
                    reason: "the dictation was deleted".into(),
                    permanent: true,
                });
            }
            Err(e) => return Err(transient(format!("the store is unavailable ({e})"))),
        };
        let specialties = match self.store.user_by_id(d.author_id).await {
            Ok(Some(u)) => u.specialties,
            _ => Vec::new(),
        };
        let path = self.store.dir.audio(&d.audio_name);
        if !path.is_file() {
            return Err(JobFailure {
                reason: "the audio file is missing from the data directory; upload it again".into(),
                permanent: true,
            });
        }
        let engine = self.engine.clone();
        // Ages and two-digit years are worked out on the day it was dictated; the patient
        // said is checked against the patient the dictation was filed under.
        let day = chrono::DateTime::from_timestamp_millis(d.created)
            .map(|t| t.date_naive())
            .unwrap_or_else(pipeline::today);
        let filed_under = d.patient.clone();
        let job = tokio::task::spawn_blocking(move || {
            let mut settings = Settings {
                prime: !specialties.is_empty(),
                specialties,
                ..Settings::default()
            };
            settings.asr.threads = engine.threads;
            let mut done =
                pipeline::transcribe_file_on(&path, &engine.model, &engine.vocab, &settings, day)?;
            let record = check::job::record_patient(&filed_under);
            let t = &mut done.transcript;
            t.findings
                .splice(0..0, check::job::patient_mismatch(&t.job.patient, &record));
            // The template for the work type said, to fill a dictation filed without one.
            let template = t.job.template.as_deref().and_then(|said| {
                crate::document::template_for_work_type(&engine.templates_dir, said)
                    .ok()
                    .flatten()
            });
            Ok::<_, PipelineError>((done, template))
        });
        let _ = self
            .store
            .worker_seen(&self.id, Some(&claim.dictation_id))
            .await;
        tokio::pin!(job);
        let mut renew = tokio::time::interval(Duration::from_millis((self.lease_ms / 3) as u64));
        renew.tick().await;
        let result = loop {
            tokio::select! {
                r = &mut job => break r,
                _ = renew.tick() => {
                    if let Err(store::Error::LostLease) = self.store.renew_lease(claim, self.lease_ms).await {
                        // Another worker has it now; let Whisper finish but never save.
                        let _ = (&mut job).await;
                        return Err(transient("lease lost".into()));
                    }
                    let _ = self.store.worker_seen(&self.id, Some(&claim.dictation_id)).await;
                }
            }
        };
        match result {
            Ok(Ok((done, template))) => Ok((done.transcript, template)),
            Ok(Err(e)) => Err(failure(&e)),
            Err(_) => Err(transient(
                "transcription crashed; it will be tried again".into(),
            )),
        }
    }
}

/// A pipeline error as a job failure: bad audio cannot get better by retrying. The messages
/// name the stored file, never the client's file name, and hold no transcript text.
fn failure(e: &PipelineError) -> JobFailure {
    match e {
        PipelineError::Audio(a) => JobFailure {
            reason: format!("the audio could not be read: {a}"),
            permanent: true,
        },
        PipelineError::Silent { .. } => JobFailure {
            reason: "no speech found: the recording is silent".into(),
            permanent: true,
        },
        PipelineError::Asr(a) => JobFailure {
            reason: format!("{a}"),
            permanent: false,
        },
    }
}
