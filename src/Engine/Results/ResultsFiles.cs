using System.Data.Common;
using System.Text;
using DuckDB.NET.Data;
using FastLoad.Engine.DuckDb;

namespace FastLoad.Engine.Results;

/// <summary>
/// Opens results files for querying: an in-memory database with each file attached READ_ONLY (files are never
/// changed; DuckDB's file lock still keeps out a file another process has open for writing). With one file its
/// tables and views resolve unqualified (<c>USE</c>). With several, a view in the in-memory database per table and
/// view name (<c>txs</c>, <c>runs</c>, <c>blocks</c>, ...) stacks the files with <c>UNION ALL BY NAME</c>; tables
/// without a <c>run_id</c> column get the file's run id as a first column so every row stays attributable. Each file
/// is also reachable by its alias (the file name without extension, see <see cref="Attached"/>), e.g.
/// <c>"20261122T083000Z-4f1c".txs</c>.
/// </summary>
public sealed class ResultsFiles : IDisposable
{
    private static readonly string[] ReservedAliases = ["memory", "temp", "system", "main"];

    private readonly string? _exportPath;

    private ResultsFiles(DuckDBConnection connection, IReadOnlyList<AttachedFile> attached, string? exportPath)
    {
        Connection = connection;
        Attached = attached;
        _exportPath = exportPath;
    }

    /// <summary>The in-memory database the files are attached to; queries run here.</summary>
    public DuckDBConnection Connection { get; }

    public IReadOnlyList<AttachedFile> Attached { get; }

    /// <summary>
    /// Attaches <paramref name="paths"/> (at least one). Throws <see cref="FileNotFoundException"/> for a missing file
    /// and <see cref="InvalidDataException"/> for one that is not a DuckDB database or has no <c>runs</c> table.
    /// Then SQL run on <see cref="Connection"/> can touch no file at all (see <see cref="Lock"/>), except
    /// <paramref name="exportPath"/> when given (the one file a <c>COPY … TO</c> of the tool's own may write).
    /// With <paramref name="merge"/>, several files are not stacked but merged into one run (<see cref="MergedResults"/>:
    /// the files of a sharded run, for report and compare).
    /// </summary>
    public static ResultsFiles Open(IReadOnlyList<string> paths, string? exportPath = null, bool merge = false)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0) throw new ArgumentException("at least one results file is needed", nameof(paths));
        foreach (string path in paths)
            if (!File.Exists(path)) throw new FileNotFoundException($"{path} does not exist", path);

        DuckDBConnection db = DuckDbSql.Open(DuckDbSql.Memory);
        try
        {
            var attached = new List<AttachedFile>(paths.Count);
            var aliases = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (string path in paths)
            {
                string alias = UniqueAlias(Path.GetFileNameWithoutExtension(path), aliases);
                try
                {
                    db.Execute($"ATTACH {Literal(Path.GetFullPath(path))} AS {Identifier(alias)} (READ_ONLY)");
                }
                catch (DbException e) when (e.Message.Contains("lock", StringComparison.OrdinalIgnoreCase))
                {
                    // DuckDB lets one process write a file or several read it, not both.
                    throw new InvalidDataException($"{path} is open for writing in another process (a run still going?): try again when it ends ({DuckDbSql.FirstLine(e.Message)})");
                }
                catch (DbException e)
                {
                    throw new InvalidDataException($"{path} is not a DuckDB database ({DuckDbSql.FirstLine(e.Message)})");
                }
                attached.Add(Describe(db, path, alias));
            }
            if (attached.Count == 1) db.Execute($"USE {Identifier(attached[0].Alias)}");
            else if (merge) MergedResults.Create(db, attached);
            else CreateUnionViews(db, attached);
            exportPath = exportPath is null ? null : Path.GetFullPath(exportPath);
            Lock(db, exportPath);
            return new ResultsFiles(db, attached, exportPath);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes the rows of <paramref name="sql"/>, which must be one SELECT, to the export path given to
    /// <see cref="Open"/> as Parquet; returns the rows written. Throws <see cref="DbException"/> otherwise.
    /// </summary>
    public long ExportParquet(string sql)
    {
        if (_exportPath is null) throw new InvalidOperationException("open the files with an export path to export");
        // One query only: it sits inside COPY (...) as a subquery, so no other statement can ride along.
        if (!DuckDbSql.IsSingleQuery(Connection, sql)) throw new DuckDbError("an export takes exactly one SELECT query");
        return Connection.Execute($"COPY (\n{DuckDbSql.TrimStatement(sql)}\n) TO {Literal(_exportPath)} (FORMAT parquet)");
    }

    /// <summary>
    /// READ_ONLY protects the attached files only from statements on that attachment: SQL could still DETACH one and
    /// ATTACH it again writable (DuckDB keeps attached paths allowed), ATTACH another results file, <c>COPY … TO</c>
    /// anywhere, or read any file. So file access is cut for all SQL from here on (the files already attached stay
    /// readable through their open handles): external access off, and the local file system disabled, which also
    /// covers the attached paths; locking the configuration keeps SQL from turning either back on. For an export,
    /// only <paramref name="exportPath"/> stays reachable, and only through <see cref="ExportParquet"/>, which runs
    /// nothing but one SELECT.
    /// </summary>
    private static void Lock(DuckDBConnection db, string? exportPath)
    {
        if (exportPath is not null) db.Execute($"SET allowed_paths = [{Literal(exportPath)}]");
        db.Execute("SET enable_external_access = false");
        if (exportPath is null) db.Execute("SET disabled_filesystems = 'LocalFileSystem'");
        db.Execute("SET lock_configuration = true");
    }

    private static AttachedFile Describe(DuckDBConnection db, string path, string alias)
    {
        var relations = new List<(string Name, bool HasRunId)>();
        bool hasRuns = false;
        using (DuckDBDataReader names = db.Query("""
            SELECT t.table_name, bool_or(c.column_name = 'run_id') AS has_run_id
            FROM information_schema.tables t
            JOIN information_schema.columns c USING (table_catalog, table_schema, table_name)
            WHERE t.table_catalog = $1 AND t.table_schema = 'main'
            GROUP BY t.table_name
            ORDER BY t.table_name
            """, alias))
        {
            while (names.Read())
            {
                string name = names.GetString(0);
                relations.Add((name, names.GetBoolean(1)));
                hasRuns |= name == "runs";
            }
        }
        if (!hasRuns) throw new InvalidDataException($"{path} is not a FastLoad results file (it has no runs table)");
        string runId = db.Scalar($"SELECT run_id FROM {Identifier(alias)}.main.runs WHERE run_id IS NOT NULL LIMIT 1") as string
            ?? Path.GetFileNameWithoutExtension(path);
        return new AttachedFile(path, alias, runId, relations);
    }

    /// <summary>
    /// One view per name seen in any file, stacking the files that have it. They live in <c>memory.main</c>, not in
    /// <c>temp</c>: a temp view would shadow the tables the files' own views (txs) name unqualified.
    /// </summary>
    private static void CreateUnionViews(DuckDBConnection db, List<AttachedFile> attached)
    {
        var order = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (AttachedFile file in attached)
            foreach ((string name, _) in file.Relations)
                if (seen.Add(name)) order.Add(name);
        var sql = new StringBuilder();
        foreach (string name in order)
        {
            sql.Append("CREATE VIEW memory.main.").Append(Identifier(name)).Append(" AS ");
            bool first = true;
            foreach (AttachedFile file in attached)
            {
                int index = file.Relations.FindIndex(r => r.Name == name);
                if (index < 0) continue;
                sql.Append(first ? "" : " UNION ALL BY NAME ").Append("SELECT ");
                if (!file.Relations[index].HasRunId) sql.Append(Literal(file.RunId)).Append(" AS run_id, ");
                sql.Append("* FROM ").Append(Identifier(file.Alias)).Append(".main.").Append(Identifier(name));
                first = false;
            }
            sql.Append(";\n");
        }
        db.Execute(sql.ToString());
    }

    private static string UniqueAlias(string stem, HashSet<string> taken)
    {
        string alias = stem.Length == 0 ? "results" : stem;
        if (Array.IndexOf(ReservedAliases, alias.ToLowerInvariant()) >= 0) alias += "_1";
        for (int i = 2; !taken.Add(alias); i++) alias = $"{stem}_{i}";
        return alias;
    }

    /// <summary>A SQL string literal.</summary>
    public static string Literal(string value) => DuckDbSql.Literal(value);

    /// <summary>A quoted SQL identifier.</summary>
    public static string Identifier(string name) => DuckDbSql.Identifier(name);

    public void Dispose() => Connection.Dispose();
}

/// <summary>One attached results file: its alias in SQL, its run id, and its tables and views.</summary>
public sealed record AttachedFile(string Path, string Alias, string RunId, List<(string Name, bool HasRunId)> Relations);
