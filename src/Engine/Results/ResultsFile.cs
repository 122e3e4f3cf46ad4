using FastLoad.Engine.DuckDb;

namespace FastLoad.Engine.Results;

/// <summary>Opens results files for reading (report, compare).</summary>
public static class ResultsFile
{
    /// <summary>
    /// Opens <paramref name="path"/> read-only (attached to an in-memory database, so a report never changes or creates
    /// the file) and checks it holds a FastLoad results schema this version reads.
    /// </summary>
    /// <exception cref="InvalidDataException">Missing file, not a DuckDB file, not a results file, or a newer schema; the message says which.</exception>
    public static DuckDbConnection OpenReadOnly(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path} does not exist");
        DuckDbConnection db = DuckDbConnection.Open(":memory:");
        try
        {
            string quoted = path.Replace("'", "''", StringComparison.Ordinal);
            try
            {
                db.Execute($"ATTACH '{quoted}' AS results (READ_ONLY); USE results;");
            }
            catch (DuckDbException e) when (e.Message.Contains("Could not set lock", StringComparison.Ordinal))
            {
                // DuckDB allows one writing process and no readers beside it: a run still writing its file.
                int pid = e.Message.IndexOf("(PID ", StringComparison.Ordinal);
                string who = pid < 0 ? "another process" : "process " + e.Message[(pid + 5)..].Split(')')[0];
                throw new InvalidDataException($"{path} is open for writing by {who} (a run still going?): report it when the run has ended");
            }
            catch (DuckDbException e)
            {
                throw new InvalidDataException($"{path} is not a DuckDB results file ({FirstLine(e.Message)})");
            }
            DuckDbResult tables = db.Query("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'results' AND table_name IN ('runs', 'tx_log', 'tx_inclusions', 'blocks', 'samples', 'nodes', 'outcomes')");
            if (tables.GetInt64(0, 0) != 7) throw new InvalidDataException($"{path} is a DuckDB file but not a FastLoad results file (made by `fastload run --out FILE`)");
            DuckDbResult version = db.Query("SELECT max(schema_version) FROM runs");
            if (!version.IsNull(0, 0) && version.GetInt64(0, 0) > ResultsSchema.Version)
                throw new InvalidDataException($"{path} has results schema {version.GetInt64(0, 0)}, newer than this fastload reads ({ResultsSchema.Version}); update fastload");
            return db;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    private static string FirstLine(string s)
    {
        int newline = s.IndexOf('\n', StringComparison.Ordinal);
        return (newline < 0 ? s : s[..newline]).Trim();
    }
}
