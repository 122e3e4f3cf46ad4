using DuckDB.NET.Data;
using FastLoad.Engine.Probe;

namespace FastLoad.Engine.Results;

/// <summary>A probe's phases and answer, read back from a results file (empty for a plain run, or a file older than schema 6; fee columns from schema 10).</summary>
public sealed record RunPhases(IReadOnlyList<ProbeStep> Steps, double? SustainableRate)
{
    public static RunPhases Load(DuckDBConnection db)
    {
        if (DuckDb.DuckDbSql.Scalar(db, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'phases'") is not long and > 0)
            return new RunPhases([], null);
        bool fees = DuckDb.DuckDbSql.Scalar(db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'phases' AND column_name = 'fee_cap_gwei'") is long and > 0;
        Rows rows = Rows.Of(db, $"""
            SELECT phase, name, kind, rate, start_us, end_us, offered, sent, accepted, included, included_rate,
                   inclusion_p50_ms, inclusion_p99_ms, backlog_mid, backlog_end, backlog_tolerance, verdict, reason,
                   {(fees ? "base_fee_start_gwei, base_fee_end_gwei, fee_cap_gwei, fee_wait_s" : "NULL, NULL, NULL, NULL")}
            FROM phases ORDER BY phase
            """);
        var steps = new List<ProbeStep>();
        for (int r = 0; r < rows.RowCount; r++)
        {
            steps.Add(new ProbeStep
            {
                Index = (int)rows.GetInt64(r, 0),
                Name = rows.GetString(r, 1) ?? "",
                Kind = Enum.Parse<ProbeKind>(rows.GetString(r, 2) ?? "step", ignoreCase: true),
                Rate = rows.GetDouble(r, 3),
                StartUs = rows.GetInt64(r, 4),
                EndUs = rows.GetInt64(r, 5),
                Offered = rows.GetInt64(r, 6),
                Sent = rows.GetInt64(r, 7),
                Accepted = rows.GetInt64(r, 8),
                Included = rows.GetInt64(r, 9),
                IncludedRate = rows.GetDouble(r, 10),
                InclusionP50Ms = rows.IsNull(r, 11) ? null : rows.GetDouble(r, 11),
                InclusionP99Ms = rows.IsNull(r, 12) ? null : rows.GetDouble(r, 12),
                BacklogMid = rows.GetInt64(r, 13),
                BacklogEnd = rows.GetInt64(r, 14),
                BacklogTolerance = rows.GetInt64(r, 15),
                Pass = rows.GetString(r, 16) == "PASS",
                Reason = rows.GetString(r, 17) ?? "",
                BaseFeeStartGwei = rows.IsNull(r, 18) ? null : rows.GetDouble(r, 18),
                BaseFeeEndGwei = rows.IsNull(r, 19) ? null : rows.GetDouble(r, 19),
                FeeCapGwei = rows.IsNull(r, 20) ? null : rows.GetDouble(r, 20),
                FeeWaitSeconds = rows.IsNull(r, 21) ? 0 : rows.GetDouble(r, 21),
            });
        }
        object? sustainable = DuckDb.DuckDbSql.Scalar(db, "SELECT max(sustainable_rate) FROM runs");
        return new RunPhases(steps, sustainable is double d ? d : null);
    }
}
