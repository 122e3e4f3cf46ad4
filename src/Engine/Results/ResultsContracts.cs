namespace FastLoad.Engine.Results;

/// <summary>Reads the <c>contracts</c> table of a results file (for <c>run --reuse-setup FILE</c>).</summary>
public static class ResultsContracts
{
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a results file, or one written before the contracts table existed.</exception>
    public static IReadOnlyList<(string Name, string Address, string? DeployTx)> Read(string path)
    {
        using ResultsFiles files = ResultsFile.OpenReadOnly(path);
        bool hasTable = false;
        foreach ((string name, _) in files.Attached[0].Relations) hasTable |= name == "contracts";
        if (!hasTable) throw new InvalidDataException("it has no contracts table (it was written before workloads deployed contracts): give the results file of an erc20 or mix run");
        var contracts = new List<(string, string, string?)>();
        using DuckDB.NET.Data.DuckDBDataReader rows = DuckDb.DuckDbSql.Query(files.Connection, "SELECT name, address, deploy_tx FROM contracts ORDER BY name");
        while (rows.Read()) contracts.Add((rows.GetString(0), rows.GetString(1), DuckDb.DuckDbSql.StringOrNull(rows, 2)));
        return contracts;
    }
}
