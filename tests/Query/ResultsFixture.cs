using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Results;

namespace FastLoad.Tests.Query;

/// <summary>Small results files written the way a run writes them (schema from <see cref="ResultsSchema"/>, rows by SQL).</summary>
public sealed class ResultsFixture : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "fastload-query-" + Guid.NewGuid().ToString("N"));

    public ResultsFixture() => System.IO.Directory.CreateDirectory(Directory);

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>
    /// A run of three txs on two nodes: id 1 accepted and included (ack 2.5 ms, inclusion 1000 ms), id 2 refused
    /// nonce_too_low with an error text holding a comma and quotes, id 3 accepted, not included.
    /// </summary>
    public string WriteRun(string fileName, string runId, int extraAccepted = 0)
    {
        string path = PathOf(fileName);
        using var db = DuckDbSql.Open(path);
        ResultsSchema.Create(db);
        db.Execute($"""
            INSERT INTO runs (run_id, schema_version, started_at, ended_at, status, tx_type, workload_op, target_rate, duration_s, sent)
            VALUES ('{runId}', {ResultsSchema.Version}, TIMESTAMPTZ '2026-11-22 08:30:00+00', TIMESTAMPTZ '2026-11-22 08:30:10+00',
                    'complete', '1559', 'transfer', 200, 10, {3 + extraAccepted});
            INSERT INTO nodes VALUES (0, 'http://a:8545'), (1, 'http://b:8545');
            INSERT INTO wallets VALUES (0, '0x00000000000000000000000000000000000000aa', 0), (1, '0x00000000000000000000000000000000000000bb', 1);
            INSERT INTO tx_log VALUES
                (1, '\x01\x02'::BLOB, 0, 0, 0, 0, 500, 2500, 1, 0),
                (2, '\xAB'::BLOB, 1, 0, 1, 1000, 1500, 4000, 2, 0),
                (3, '\xFF'::BLOB, 0, 1, 0, 2000, 2100, 2600, 1, 0);
            INSERT INTO errors VALUES (1, 'nonce_too_low', 'nonce too low: have 5, want "7"');
            INSERT INTO tx_errors VALUES (2, 1);
            INSERT INTO tx_inclusions VALUES (1, 42, 1000000);
            INSERT INTO blocks VALUES (0, 42, '0xbeef', 1000000, 1795336201, 1, 21000, 1);
            INSERT INTO samples (t_s, node, sent, acked, errors, included, in_flight, ring_fill) VALUES (1, 0, 2, 2, 0, 1, 0, 10), (1, 1, 1, 1, 1, 0, 0, 12);
            """);
        if (extraAccepted > 0)
            db.Execute($"INSERT INTO tx_log SELECT 100 + range, '\\x00'::BLOB, 0, 2 + range, 0, 3000 + range, 3100 + range, 3200 + range, 1, 0 FROM range({extraAccepted})");
        return path;
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
