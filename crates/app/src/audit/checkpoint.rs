//! Signed checkpoints of the ledger (decision 0014): the instance's key,
//! the Merkle tree's frontier and root, and consistency proofs between two
//! checkpoints.

use baocao_domain::checkpoint::{Checkpoint, ConsistencyProof};
use baocao_domain::merkle::{
    consistency_proof, leaf_hash, root_of_leaves, verify_consistency, Frontier, Hash,
};
use baocao_domain::Message;
use baocao_store::{ledger, Conn};

use super::PAGE;
use crate::{App, AppError, AppResult};

/// The Merkle frontier of entries 1 to `upto`, continuing from `start`
/// (a sequence number and the frontier there) or from the first entry.
async fn frontier_up_to(
    conn: &mut Conn,
    start: Option<(i64, Frontier)>,
    upto: i64,
) -> AppResult<Frontier> {
    let (mut after, mut frontier) = start.unwrap_or_default();
    while after < upto {
        let page = ledger::hashes_between(conn, after, upto, PAGE).await?;
        if page.is_empty() {
            break;
        }
        for (seq, hash) in page {
            if seq != after + 1 {
                return Err(AppError::Internal(format!(
                    "ledger entry {} missing: run baocao audit verify",
                    after + 1
                )));
            }
            let bytes = hex::decode(&hash)
                .map_err(|_| AppError::Internal(format!("ledger entry {seq}: hash")))?;
            frontier.push(&bytes);
            after = seq;
        }
    }
    Ok(frontier)
}

/// A frontier as kept with a checkpoint: `[[size, "hex"], …]`.
fn frontier_to_json(frontier: &Frontier) -> String {
    let pairs: Vec<(u64, String)> = frontier
        .subtrees()
        .iter()
        .map(|(n, h)| (*n, hex::encode(h)))
        .collect();
    serde_json::to_string(&pairs).unwrap_or_default()
}

fn frontier_from_json(text: &str) -> AppResult<Frontier> {
    let bad = || AppError::Internal("checkpoint frontier".into());
    let pairs: Vec<(u64, String)> = serde_json::from_str(text).map_err(|_| bad())?;
    let subtrees = pairs
        .into_iter()
        .map(|(n, h)| {
            let bytes: Hash = hex::decode(h)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(bad)?;
            Ok((n, bytes))
        })
        .collect::<AppResult<Vec<_>>>()?;
    Frontier::from_subtrees(subtrees).ok_or_else(bad)
}

/// Whether a checkpoint's signature is its key's and its format known.
pub fn checkpoint_signed(checkpoint: &Checkpoint) -> bool {
    use ring::signature::{UnparsedPublicKey, ED25519};
    let signature_ok = match (
        hex::decode(&checkpoint.public_key),
        hex::decode(&checkpoint.signature),
    ) {
        (Ok(key), Ok(signature)) => UnparsedPublicKey::new(&ED25519, key)
            .verify(&checkpoint.signed_bytes(), &signature)
            .is_ok(),
        _ => false,
    };
    checkpoint.is_known_format() && signature_ok
}

/// Two checkpoints a consistency proof can join: each signed, by the same
/// key, with roots, the first not after the second.
fn both_signed(old: &Checkpoint, new: &Checkpoint) -> Result<(), Message> {
    if !checkpoint_signed(old) || !checkpoint_signed(new) {
        return Err(Message::new("audit.checkpoint_signature"));
    }
    if old.public_key != new.public_key {
        return Err(Message::new("audit.checkpoint_other_key"));
    }
    if old.root.is_none() || new.root.is_none() || old.seq > new.seq {
        return Err(Message::new("audit.checkpoint_no_root"));
    }
    Ok(())
}

/// Checks, without the ledger, that `proof` shows the ledger at checkpoint
/// `new` extends the ledger at checkpoint `old` unchanged (what the level
/// above runs on the files it received).
pub fn check_consistency(
    old: &Checkpoint,
    new: &Checkpoint,
    proof: &ConsistencyProof,
) -> Result<(), Message> {
    both_signed(old, new)?;
    let hash = |h: &str| -> Option<Hash> { hex::decode(h).ok()?.try_into().ok() };
    let roots = (
        old.root.as_deref().and_then(hash),
        new.root.as_deref().and_then(hash),
    );
    let path: Option<Vec<Hash>> = proof.proof.iter().map(|h| hash(h)).collect();
    let holds = match (roots, path) {
        ((Some(first), Some(second)), Some(path)) => {
            proof.format == baocao_domain::checkpoint::CONSISTENCY_FORMAT
                && proof.from == old.seq
                && proof.to == new.seq
                && verify_consistency(
                    u64::try_from(old.seq).unwrap_or(0),
                    u64::try_from(new.seq).unwrap_or(0),
                    &first,
                    &second,
                    &path,
                )
        }
        _ => false,
    };
    if holds {
        Ok(())
    } else {
        Err(Message::new("audit.consistency_fails")
            .arg("from", old.seq)
            .arg("to", new.seq))
    }
}

/// The setting holding the instance's Ed25519 signing key (PKCS#8, hex),
/// made at first use.
const SIGNING_KEY: &str = "audit.signing_key";

/// The setting naming the instance in its checkpoints.
const INSTANCE_NAME: &str = "instance.name";

/// A configured Ed25519 key (PKCS#8) that signs the ledger's checkpoints;
/// never printed.
#[derive(Clone)]
pub struct SigningKey(std::sync::Arc<Vec<u8>>);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(…)")
    }
}

impl SigningKey {
    /// Reads a key as `openssl genpkey -algorithm ed25519` writes it: PKCS#8,
    /// PEM (`-----BEGIN PRIVATE KEY-----`) or DER.
    pub fn read(bytes: &[u8]) -> Result<SigningKey, Message> {
        use base64::Engine;
        let refused = || Message::new("audit.bad_signing_key");
        let der = match std::str::from_utf8(bytes) {
            Ok(text) if text.contains("-----BEGIN PRIVATE KEY-----") => {
                let body: String = text
                    .lines()
                    .skip_while(|l| !l.starts_with("-----BEGIN PRIVATE KEY-----"))
                    .skip(1)
                    .take_while(|l| !l.starts_with("-----END"))
                    .collect();
                base64::engine::general_purpose::STANDARD
                    .decode(body.trim())
                    .map_err(|_| refused())?
            }
            _ => bytes.to_vec(),
        };
        ring::signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der).map_err(|_| refused())?;
        Ok(SigningKey(std::sync::Arc::new(der)))
    }
}

impl App {
    /// The instance's signing key: the configured one, or one made and kept
    /// in the database at first use.
    async fn signing_key(&self) -> AppResult<ring::signature::Ed25519KeyPair> {
        use ring::signature::Ed25519KeyPair;
        let internal = |e: &dyn std::fmt::Display| AppError::Internal(format!("signing key: {e}"));
        if let Some(key) = &self.settings.signing_key {
            return Ed25519KeyPair::from_pkcs8_maybe_unchecked(&key.0).map_err(|e| internal(&e));
        }
        let mut tx = self.store.begin_write().await?;
        let pkcs8 = match baocao_store::meta::get(&mut tx, SIGNING_KEY).await? {
            Some(text) => hex::decode(text).map_err(|e| internal(&e))?,
            None => {
                let rng = ring::rand::SystemRandom::new();
                let made = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|e| internal(&e))?;
                baocao_store::meta::set(&mut tx, SIGNING_KEY, &hex::encode(made.as_ref())).await?;
                made.as_ref().to_vec()
            }
        };
        baocao_store::commit(tx).await?;
        Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|e| internal(&e))
    }

    /// Signs a checkpoint of the ledger as it stands (head sequence, head
    /// hash, time, instance), keeps it in the database and returns it to be
    /// exported.
    pub async fn checkpoint(&self) -> AppResult<Checkpoint> {
        use ring::signature::KeyPair;
        let key = self.signing_key().await?;
        let instance = self
            .setting(INSTANCE_NAME)
            .await?
            .unwrap_or_else(|| "baocao".to_string());
        let mut conn = self.store.conn().await?;
        let (seq, head) = ledger::head(&mut conn).await?;
        // The tree continues from the last checkpoint's frontier.
        let start = match ledger::last_frontier(&mut conn).await? {
            Some((at, text)) if at <= seq => Some((at, frontier_from_json(&text)?)),
            _ => None,
        };
        let frontier = frontier_up_to(&mut conn, start, seq).await?;
        let mut checkpoint = Checkpoint {
            format: baocao_domain::checkpoint::FORMAT.to_string(),
            instance,
            seq,
            head,
            root: Some(hex::encode(frontier.root())),
            at: crate::now(),
            public_key: hex::encode(key.public_key().as_ref()),
            signature: String::new(),
        };
        checkpoint.signature = hex::encode(key.sign(&checkpoint.signed_bytes()).as_ref());
        let document =
            serde_json::to_string(&checkpoint).map_err(|e| AppError::Internal(e.to_string()))?;
        ledger::insert_checkpoint(
            &mut conn,
            seq,
            &checkpoint.head,
            checkpoint.at,
            &document,
            &frontier_to_json(&frontier),
        )
        .await?;
        Ok(checkpoint)
    }

    /// The consistency proof (RFC 9162) that the ledger at checkpoint `new`
    /// extends the ledger at checkpoint `old` unchanged, for the level above
    /// to check with the two checkpoints alone ([`check_consistency`]).
    /// `Err` says why none can be given (a checkpoint not signed by this
    /// instance's key, without a root, or a ledger that no longer has the
    /// trees they signed). Reads the hashes of the entries up to `new`
    /// (32 bytes of memory per entry).
    pub async fn consistency_proof(
        &self,
        old: &Checkpoint,
        new: &Checkpoint,
    ) -> AppResult<Result<ConsistencyProof, Message>> {
        if let Err(m) = both_signed(old, new) {
            return Ok(Err(m));
        }
        let mut conn = self.store.conn().await?;
        let mut leaves: Vec<Hash> = Vec::new();
        let mut after = 0;
        while after < new.seq {
            let page = ledger::hashes_between(&mut conn, after, new.seq, PAGE).await?;
            let Some(&(last, _)) = page.last() else { break };
            for (seq, hash) in page {
                if seq != after + 1 {
                    return Ok(Err(
                        Message::new("audit.missing_entry").arg("seq", after + 1)
                    ));
                }
                leaves.push(leaf_hash(&hex::decode(&hash).unwrap_or_default()));
                after = seq;
            }
            after = last;
        }
        let size = |c: &Checkpoint| usize::try_from(c.seq).unwrap_or(usize::MAX);
        for c in [old, new] {
            let root = root_of_leaves(&leaves[..size(c).min(leaves.len())]);
            if leaves.len() < size(c) || Some(hex::encode(root)) != c.root {
                return Ok(Err(Message::new("audit.checkpoint_rewritten")
                    .arg("seq", c.seq)
                    .arg("signed", c.root.clone().unwrap_or_default())
                    .arg("found", hex::encode(root))));
            }
        }
        Ok(Ok(ConsistencyProof {
            format: baocao_domain::checkpoint::CONSISTENCY_FORMAT.to_string(),
            from: old.seq,
            to: new.seq,
            proof: consistency_proof(&leaves, size(old))
                .iter()
                .map(hex::encode)
                .collect(),
        }))
    }

    /// Signs a checkpoint if the ledger moved since the last one (the
    /// scheduled checkpoints: an idle ledger is not signed again and again).
    pub async fn checkpoint_if_moved(&self) -> AppResult<Option<Checkpoint>> {
        let (head, last) = {
            let mut conn = self.store.conn().await?;
            (
                ledger::head(&mut conn).await?,
                ledger::last_checkpoint(&mut conn).await?,
            )
        };
        if last.as_ref() == Some(&head) {
            return Ok(None);
        }
        self.checkpoint().await.map(Some)
    }

    /// Signs a checkpoint every `every` while the ledger moves, and writes
    /// each to `dir` (as `checkpoint-SEQ.json`) when given, to be published
    /// or sent to the level above.
    pub fn start_checkpoints(&self, every: std::time::Duration, dir: Option<std::path::PathBuf>) {
        let app = self.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.tick().await; // the first tick is at once: wait a period
            loop {
                ticks.tick().await;
                match app.checkpoint_if_moved().await {
                    Ok(Some(c)) => {
                        tracing::info!(seq = c.seq, head = %c.head, "ledger checkpoint signed");
                        if let Some(dir) = &dir {
                            let path = dir.join(format!("checkpoint-{}.json", c.seq));
                            let text = serde_json::to_string_pretty(&c).unwrap_or_default();
                            if let Err(e) = tokio::fs::write(&path, text).await {
                                tracing::warn!(error = %e, path = %path.display(), "cannot write the checkpoint");
                            }
                        }
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!(error = %e, "ledger checkpoint failed"),
                }
            }
        });
    }

    /// Whether the ledger still holds what `checkpoint` signed: the
    /// signature is the checkpoint's key's, and the entry at its sequence has
    /// its hash. `Err` names what does not hold.
    pub async fn verify_checkpoint(
        &self,
        checkpoint: &Checkpoint,
    ) -> AppResult<Result<(), Message>> {
        if !checkpoint_signed(checkpoint) {
            return Ok(Err(Message::new("audit.checkpoint_signature")));
        }
        // An empty ledger's checkpoint: nothing before it to rewrite.
        if checkpoint.seq == 0 && checkpoint.head == baocao_domain::ledger::GENESIS {
            return Ok(Ok(()));
        }
        let mut conn = self.store.conn().await?;
        let entry = ledger::entries(&mut conn, checkpoint.seq - 1, 1).await?;
        match entry.first() {
            Some(e) if e.entry.seq == checkpoint.seq && e.hash == checkpoint.head => {
                // The tree recomputed from the entries themselves (not from a
                // stored frontier) must have the signed root.
                let Some(signed) = &checkpoint.root else {
                    return Ok(Ok(()));
                };
                let found = hex::encode(
                    frontier_up_to(&mut conn, None, checkpoint.seq)
                        .await?
                        .root(),
                );
                if *signed == found {
                    Ok(Ok(()))
                } else {
                    Ok(Err(Message::new("audit.checkpoint_root_differs")
                        .arg("seq", checkpoint.seq)
                        .arg("signed", signed)
                        .arg("found", found)))
                }
            }
            Some(e) if e.entry.seq == checkpoint.seq => {
                Ok(Err(Message::new("audit.checkpoint_rewritten")
                    .arg("seq", checkpoint.seq)
                    .arg("signed", &checkpoint.head)
                    .arg("found", &e.hash)))
            }
            _ => Ok(Err(
                Message::new("audit.checkpoint_missing").arg("seq", checkpoint.seq)
            )),
        }
    }
}
