using System.Data.Common;

namespace FastLoad.Engine.DuckDb;

/// <summary>
/// A DuckDB error that FastLoad raises itself (DuckDB.NET's <c>DuckDBException</c> has no public constructor):
/// an appender's error, SQL that parses to no statement, an export that is not one query. Callers catch
/// <see cref="DbException"/>, which covers both.
/// </summary>
public sealed class DuckDbError(string message) : DbException(message);
