using DuckDB.NET.Data;
using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Rpc;

namespace FastLoad.Engine.Results;

/// <summary>
/// The tables of a results file (one run per file). The hot table <c>tx_log</c> is kept narrow (9 columns) so the
/// writer appends well over 2M rows/s: what is the same for every tx of the run (run id, tx type, op) lives in
/// <c>runs</c>, wallet addresses in <c>wallets</c>, node URLs in <c>nodes</c>, error texts once each in <c>errors</c>,
/// and inclusion (known seconds after the ack) in its own table. The <c>txs</c> view joins it all back into one
/// row per tx; that is what users query.
/// <para>Times: <c>*_us</c> columns are microseconds since <c>runs.started_at</c> (the moment sending began) on the
/// local monotonic clock; the view also gives them as timestamps.</para>
/// </summary>
public static class ResultsSchema
{
    /// <summary>Bumped when a table changes shape; stored in <c>runs.schema_version</c>.</summary>
    public const int Version = 11; // 2: no_answer, tx_resolutions, runs.status_reason/late/max_lag_ms/unsent/gap_repairs, samples.rss_mb/managed_heap_mb
                                  // 3: runs.shape, samples.intended
                                  // 4: tx_log.op + ops (txs.op per tx), contracts, ledger_mismatches, runs.ledger_checked/ledger_mismatches
                                  // 5: read_log + read_methods + read_outcomes (view reads), tx_receipts (txs.gas_used, txs.status),
                                  //    runs.read_method/read_rate/reads/read_errors/read_p50_ms/read_p99_ms/receipts_percent/receipts_fetched/reverted,
                                  //    samples.reads/read_errors
                                  // 6: phases, txs.phase, runs.sustainable_rate (fastload probe)
                                  // 7: runs.wait_signing_ms/wait_network_ms/ring_empty_percent/ring_full_percent/signer_busy_percent/cpu_percent/
                                  //    bound_by/bound_evidence, samples.wait_signing_ms/wait_network_ms (self-telemetry, bottleneck verdict)
                                  // 9: runs.shard/shard_count (--shard i/N; one file per shard, merged by report/compare)
                                  // 10: phases.base_fee_start_gwei/base_fee_end_gwei/fee_cap_gwei/fee_wait_s (the probe's fee evidence)
                                  // 11: streams + tx_preconfs (txs.preconf_us/preconf_ms/preconf_at), runs.send_targets/preconfirmed/preconf_p50_ms/preconf_p99_ms (--send-rpc, --confirm-ws)

    public const string Tables = """
        CREATE TABLE runs (
            run_id VARCHAR,             -- e.g. 20261122T083000Z-4f1c: unique per run, also across files
            schema_version INTEGER,
            started_at TIMESTAMPTZ,     -- wall clock when sending began; every *_us column counts from here
            ended_at TIMESTAMPTZ,       -- NULL while running (or if the process was killed)
            status VARCHAR,             -- running | complete | interrupted | failed (see status_reason)
            command_line VARCHAR,       -- as typed, secrets removed
            version VARCHAR,            -- FastLoad version
            machine VARCHAR,            -- host, OS, cores, .NET
            targets VARCHAR,            -- node URLs, comma-separated
            settings VARCHAR,           -- JSON: rate, duration, wallets, signers, batch, ...
            tx_type VARCHAR,            -- legacy | eip2930 | eip1559 | eip7702
            workload_op VARCHAR,        -- the --workload: transfer | erc20 | mix:mint=50,burn=30,transfer=20 (each tx's own op: txs.op)
            target_rate DOUBLE,         -- tx/s; NULL for --max
            duration_s DOUBLE,          -- the real sending span (sent / duration_s = the achieved rate)
            sent BIGINT, accepted BIGINT, errors BIGINT, included BIGINT, not_included BIGINT,
            dropped_records BIGINT,     -- result records the writer could not keep up with (0 = every tx has a row)
            ack_p50_ms DOUBLE, ack_p99_ms DOUBLE, inclusion_p50_ms DOUBLE, inclusion_p99_ms DOUBLE,
            verdict VARCHAR,            -- PASS | FAIL | NULL when no --expect-* target was given
            status_reason VARCHAR,      -- why a run failed or was stopped early (NULL otherwise)
            late BIGINT,                -- txs sent more than 50 ms behind their intended time (the tool or node fell behind)
            max_lag_ms DOUBLE,          -- the most a tx went out behind its intended time
            unsent BIGINT,              -- tokens due before sending stopped that were never sent (backlog at the end)
            gap_repairs BIGINT,         -- txs re-sent after the run to close nonce gaps left by refused txs
            shape VARCHAR,              -- --shape: constant | ramp:FROM..TO | steps:FROM..TO:STEP/HOLDs | burst:N/EVERYs | poisson | per-block:K; NULL for --max
            ledger_checked INTEGER,     -- wallets whose token balance the ledger check compared (erc20, mix), or created contracts checked (deploy); NULL: no check
            ledger_mismatches INTEGER,  -- of those, balances not equal to what their included ops imply / addresses without the code (must be 0)
            read_method VARCHAR,        -- --read-method (eth_blockNumber, eth_getBalance, eth_call, eth_getTransactionReceipt); NULL: no reads
            read_rate DOUBLE,           -- --read-rate, reads/s across all nodes; NULL: no reads
            reads BIGINT,               -- reads sent
            read_errors BIGINT,         -- reads answered with an error or not answered (see reads.outcome)
            read_p50_ms DOUBLE, read_p99_ms DOUBLE,   -- read latency from each read's intended time
            receipts_percent DOUBLE,    -- --receipts: the share of included txs whose receipt was asked for; 0 = none
            receipts_fetched BIGINT,    -- receipts read (rows of tx_receipts)
            reverted BIGINT,            -- of those, txs that were included but reverted (status 0)
            sustainable_rate DOUBLE,    -- fastload probe: the rate its hold confirmed, tx/s; NULL when none was found (or not a probe)
            wait_signing_ms DOUBLE,     -- time the senders waited for signed txs (ring empty while tokens were due), summed over nodes
            wait_network_ms DOUBLE,     -- time the senders waited for the network (every pipelining slot full, 429 pauses, reconnects), summed over nodes
            ring_empty_percent DOUBLE,  -- share of ring-fill polls (every 100 ms per node, while sending) that found the ring at most 10 % full
            ring_full_percent DOUBLE,   -- share of those polls that found it at least half full
            signer_busy_percent DOUBLE, -- share of the signer threads' time not spent waiting (for ring space or a ready wallet); NULL for a replay
            cpu_percent DOUBLE,         -- process CPU over the sending span, % of all cores
            bound_by VARCHAR,           -- what limited the run: node | signing | sending | rate | unclear (README "Bottleneck verdict")
            bound_evidence VARCHAR,     -- the figures behind bound_by, as the summary's last line gives them
            shard INTEGER,              -- --shard i/N: this file's shard i (0-based; 0 unsharded); target_rate and the txs are this shard's part
            shard_count INTEGER,        -- N, the shards of the run (1 unsharded); report/compare over the N files give the whole run
            send_targets VARCHAR,       -- --send-rpc: where each node's txs were sent, comma-separated in node order; NULL = to targets
            preconfirmed BIGINT,        -- --confirm-ws: txs that at least one stream mentioned; NULL without streams
            preconf_p50_ms DOUBLE, preconf_p99_ms DOUBLE   -- the earliest stream's mention - intended send, of those txs
        );
        CREATE TABLE phases (           -- fastload probe: one row per step, bisect step and hold, in the order run
            run_id VARCHAR,
            phase INTEGER,              -- 0-based; txs.phase
            name VARCHAR,               -- step 1, step 2 ... bisect 1 ... hold (hold 2 ... when a hold failed and was retried lower)
            kind VARCHAR,               -- step | bisect | hold (fastload probe) | phase (a run's --phase / a scenario's phases)
            rate DOUBLE,                -- tx/s offered
            start_us BIGINT, end_us BIGINT,  -- the phase's window, like tx_log.intended_us: its txs are those intended in [start_us, end_us)
            offered BIGINT,             -- txs the phase made due
            sent BIGINT,                -- of those, sent and answered
            accepted BIGINT,
            included BIGINT,            -- seen in a block by the time the phase was judged
            included_rate DOUBLE,       -- our txs included per second over the window shifted by one block interval
            inclusion_p50_ms DOUBLE, inclusion_p99_ms DOUBLE,   -- block seen - intended send, of the phase's included txs
            backlog_mid BIGINT,         -- accepted-not-included txs (ours in the pool), lowest over the block interval before the middle
            backlog_end BIGINT,         -- the same before the end
            backlog_growth BIGINT,      -- backlog_end - backlog_mid
            backlog_tolerance BIGINT,   -- growth above this fails the phase
            verdict VARCHAR,            -- PASS | FAIL; NULL for a run's phases (the run's verdicts judge the whole run)
            reason VARCHAR,             -- ok, or why it failed
            base_fee_start_gwei DOUBLE, base_fee_end_gwei DOUBLE,  -- the latest block's base fee as the phase began and when it was judged (NULL: no base fee, or a run's phase)
            fee_cap_gwei DOUBLE,        -- the txs' fee cap: a base fee above it leaves them waiting in the pool
            fee_wait_s DOUBLE           -- seconds the probe waited, sending nothing, for the base fee to fall before the phase
        );
        CREATE TABLE nodes (node UTINYINT, url VARCHAR);
        CREATE TABLE wallets (wallet INTEGER, address VARCHAR, node UTINYINT);
        CREATE TABLE outcomes (outcome UTINYINT, name VARCHAR);
        CREATE TABLE tx_log (
            id BIGINT,                  -- JSON-RPC id, unique in the run
            tx_hash BLOB,               -- 32 bytes
            wallet INTEGER,
            nonce BIGINT,
            node UTINYINT,
            intended_us BIGINT,         -- when the rate limiter meant it to go
            sent_us BIGINT,             -- when its batch was written to the socket
            ack_us BIGINT,              -- when the node's answer was read
            outcome UTINYINT,           -- see outcomes
            op UTINYINT                 -- what the tx does, see ops
        );
        CREATE TABLE ops (op UTINYINT, name VARCHAR);   -- transfer (ETH) | erc20_transfer | mint | burn | deploy | gas_burn | storage_write | call
        CREATE TABLE contracts (
            name VARCHAR,               -- e.g. LoadToken (contracts/LoadToken.sol)
            address VARCHAR,            -- 0x-hex
            deploy_tx VARCHAR,          -- the creating tx's hash (of the earlier run, when reused)
            reused BOOLEAN              -- true: taken from an earlier run's results (--reuse-setup), not deployed by this run
        );
        CREATE TABLE ledger_mismatches (
            wallet INTEGER, address VARCHAR,
            expected VARCHAR,           -- token units (decimal) the wallet's start balance and included ops imply
            actual VARCHAR              -- balanceOf after the run
        );
        INSERT INTO ops VALUES (0, 'transfer'), (1, 'erc20_transfer'), (2, 'mint'), (3, 'burn'), (4, 'deploy'), (5, 'gas_burn'), (6, 'storage_write'), (7, 'call');
        CREATE TABLE errors (error_id INTEGER, outcome VARCHAR, message VARCHAR);
        CREATE TABLE tx_errors (id BIGINT, error_id INTEGER);
        CREATE TABLE tx_inclusions (id BIGINT, block BIGINT, seen_us BIGINT);
        CREATE TABLE streams (          -- --confirm-ws: one row per stream, in the order given
            stream UTINYINT,            -- tx_preconfs.stream
            url VARCHAR,
            messages BIGINT,            -- messages read
            hashes BIGINT,              -- 0x + 64-hex values in them, ours or not
            preconfirmed BIGINT,        -- of the run's txs, how many it mentioned
            preconf_p50_ms DOUBLE, preconf_p99_ms DOUBLE,  -- its first mention - intended send
            connects INTEGER,           -- connections opened (more than 1: it dropped and was opened again)
            error VARCHAR               -- why the last connection failed or ended, if one did
        );
        CREATE TABLE tx_preconfs (      -- a stream's first mention of one of the run's txs
            id BIGINT,                  -- tx_log.id
            stream UTINYINT,            -- see streams
            preconf_us BIGINT           -- when the message began to arrive (same clock as every *_us)
        );
        CREATE TABLE tx_resolutions (
            id BIGINT,                  -- a tx whose answer was lost or unreadable (connection_lost, no_answer), not seen in a block
            resolution VARCHAR          -- in_pool (a node knows it) | not_found (no node knows it: it never landed)
        );
        CREATE TABLE blocks (
            node UTINYINT, number BIGINT, hash VARCHAR,
            seen_us BIGINT,             -- when FastLoad first saw it
            timestamp BIGINT,           -- the block's own timestamp (unix seconds)
            tx_count INTEGER, gas_used BIGINT, our_tx_count INTEGER
        );
        CREATE TABLE samples (
            t_s INTEGER,                -- end of the 1 s interval, seconds since started_at
            node UTINYINT,
            sent BIGINT, acked BIGINT, errors BIGINT, included BIGINT,   -- during the interval
            in_flight BIGINT,           -- sent and not answered, at the sample
            ring_fill INTEGER,          -- presigned txs waiting for this node
            signer_rate DOUBLE,         -- txs signed per second over the interval (all signers)
            cpu_percent DOUBLE,         -- process CPU over the interval, 100 = one core
            gc0 INTEGER, gc1 INTEGER, gc2 INTEGER,  -- collections so far
            rss_mb DOUBLE,              -- process resident set size at the sample, MiB (same in each node's row)
            managed_heap_mb DOUBLE,     -- managed heap as of the last GC (GCMemoryInfo.HeapSizeBytes), MiB
            intended BIGINT,            -- txs the shape made due during the interval (scheduled; compare with sent); NULL for --max
            reads BIGINT,               -- reads answered during the interval (ok or not); 0 without --read-rate
            read_errors BIGINT,         -- of those, not ok
            wait_signing_ms DOUBLE,     -- ms this node's sender waited for signed txs during the interval (1000 = the whole second)
            wait_network_ms DOUBLE      -- ms it waited for the network (pipelining slots full, 429 pauses, reconnects)
        );
        CREATE TABLE read_log (
            id BIGINT,                  -- unique among the run's reads (not related to tx ids)
            node UTINYINT,
            method UTINYINT,            -- see read_methods: the method actually sent (eth_getTransactionReceipt sends eth_blockNumber until a tx is included)
            intended_us BIGINT,         -- when the read was due (the read schedule)
            sent_us BIGINT,             -- when it was written to its connection
            ack_us BIGINT,              -- when its answer (or failure) was read
            outcome UTINYINT,           -- see read_outcomes
            error_id INTEGER            -- see errors; 0 = none
        );
        CREATE TABLE read_methods (method UTINYINT, name VARCHAR);
        CREATE TABLE read_outcomes (outcome UTINYINT, name VARCHAR);
        CREATE TABLE tx_receipts (
            id BIGINT,                  -- a tx whose receipt was fetched after the run (--receipts)
            gas_used BIGINT,            -- the receipt's gasUsed
            success BOOLEAN             -- the receipt's status: true = 1 (success), false = 0 (reverted)
        );
        CREATE TABLE verdicts (target VARCHAR, expected DOUBLE, actual DOUBLE, pass BOOLEAN);
        """;

    public const string Views = """
        CREATE VIEW txs AS
        SELECT r.run_id, l.id,
               '0x' || lower(hex(l.tx_hash)) AS tx_hash,
               l.wallet, w.address, l.nonce, l.node, n.url AS node_url,
               r.tx_type, op.name AS op,
               l.intended_us, l.sent_us, l.ack_us,
               (l.ack_us - l.intended_us) / 1000.0 AS ack_ms,
               o.name AS outcome, e.message AS error,
               CASE WHEN o.name IN ('connection_lost', 'no_answer')
                    THEN coalesce(res.resolution, CASE WHEN i.block IS NOT NULL THEN 'landed' END) END AS resolution,
               i.block, i.seen_us AS block_seen_us,
               (i.seen_us - l.intended_us) / 1000.0 AS inclusion_ms,
               rc.gas_used,                        -- from the tx's receipt; NULL unless --receipts sampled it
               r.started_at + to_microseconds(l.intended_us) AS intended_at,
               r.started_at + to_microseconds(l.sent_us) AS sent_at,
               r.started_at + to_microseconds(l.ack_us) AS ack_at,
               r.started_at + to_microseconds(i.seen_us) AS block_seen_at,
               CASE WHEN rc.success THEN 'success' WHEN NOT rc.success THEN 'reverted' END AS status,  -- NULL: no receipt fetched
               ph.phase,                           -- fastload probe: the phase the tx was intended in (NULL otherwise)
               pc.preconf_us,                      -- --confirm-ws: the earliest stream's first mention (NULL: none mentioned it)
               (pc.preconf_us - l.intended_us) / 1000.0 AS preconf_ms,
               r.started_at + to_microseconds(pc.preconf_us) AS preconf_at
        FROM tx_log l
        CROSS JOIN runs r
        JOIN outcomes o USING (outcome)
        LEFT JOIN ops op ON op.op = l.op
        LEFT JOIN wallets w USING (wallet)
        LEFT JOIN nodes n ON n.node = l.node
        LEFT JOIN tx_errors te USING (id)
        LEFT JOIN errors e USING (error_id)
        LEFT JOIN tx_inclusions i USING (id)
        LEFT JOIN tx_resolutions res USING (id)
        LEFT JOIN tx_receipts rc USING (id)
        LEFT JOIN phases ph ON l.intended_us >= ph.start_us AND l.intended_us < ph.end_us
        LEFT JOIN (SELECT id, min(preconf_us) AS preconf_us FROM tx_preconfs GROUP BY id) pc USING (id);
        CREATE VIEW reads AS
        SELECT r.run_id, l.id, l.node, n.url AS node_url, m.name AS method,
               l.intended_us, l.sent_us, l.ack_us,
               (l.ack_us - l.intended_us) / 1000.0 AS latency_ms,       -- from when the read was due (no coordinated omission)
               (l.ack_us - l.sent_us) / 1000.0 AS raw_latency_ms,      -- from when it went out
               o.name AS outcome, e.message AS error,
               r.started_at + to_microseconds(l.intended_us) AS intended_at
        FROM read_log l
        CROSS JOIN runs r
        LEFT JOIN read_methods m ON m.method = l.method
        LEFT JOIN read_outcomes o ON o.outcome = l.outcome
        LEFT JOIN nodes n ON n.node = l.node
        LEFT JOIN errors e ON e.error_id = l.error_id AND l.error_id <> 0;
        """;

    /// <summary>Creates every table and view in an empty database and fills the outcome names.</summary>
    public static void Create(DuckDBConnection db)
    {
        db.Execute(Tables);
        db.Execute(Views);
        foreach (TxOutcome outcome in Enum.GetValues<TxOutcome>())
            db.Execute("INSERT INTO outcomes VALUES ($1, $2)", (byte)outcome, OutcomeName(outcome));
        foreach (Reads.ReadMethod method in Reads.ReadMethods.All)
            db.Execute("INSERT INTO read_methods VALUES ($1, $2)", (byte)method, Reads.ReadMethods.Name(method));
        foreach (Reads.ReadOutcome outcome in Reads.ReadOutcomes.All)
            db.Execute("INSERT INTO read_outcomes VALUES ($1, $2)", (byte)outcome, Reads.ReadOutcomes.Name(outcome));
    }

    /// <summary>snake_case outcome name as stored (e.g. nonce_too_low).</summary>
    public static string OutcomeName(TxOutcome outcome) => outcome switch
    {
        TxOutcome.Pending => "pending",
        TxOutcome.Accepted => "accepted",
        TxOutcome.NonceTooLow => "nonce_too_low",
        TxOutcome.NonceTooHigh => "nonce_too_high",
        TxOutcome.Underpriced => "underpriced",
        TxOutcome.AlreadyKnown => "already_known",
        TxOutcome.InsufficientFunds => "insufficient_funds",
        TxOutcome.PoolFull => "pool_full",
        TxOutcome.RateLimited => "rate_limited",
        TxOutcome.ServerError => "server_error",
        TxOutcome.ConnectionLost => "connection_lost",
        TxOutcome.NoAnswer => "no_answer",
        _ => "other",
    };
}
