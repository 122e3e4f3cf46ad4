using System.Globalization;
using DuckDB.NET.Native;

namespace FastLoad.Runner.Query;

/// <summary>
/// How a query cell reads as text in every output format: numbers invariant (doubles shortest round-trip),
/// TIMESTAMPTZ as ISO-8601 UTC with microseconds (<c>2026-11-22T08:30:00.250000Z</c>), TIMESTAMP the same without
/// the Z, DATE <c>yyyy-MM-dd</c>, TIME <c>HH:mm:ss.ffffff</c>, BLOB as <c>0x</c> lowercase hex.
/// </summary>
public static class CellText
{
    private const long MicrosPerDay = 86_400_000_000;

    /// <summary>Numbers are right-aligned in tables and bare in JSON.</summary>
    public static bool IsNumber(DuckDBType type) => type is >= DuckDBType.TinyInt and <= DuckDBType.Double
        or DuckDBType.HugeInt or DuckDBType.UnsignedHugeInt or DuckDBType.Decimal;

    /// <summary>The cell as text; null for NULL.</summary>
    public static string? Format(DuckDBType type, object? value) => value switch
    {
        null => null,
        string s => s,
        byte[] b => "0x" + Convert.ToHexStringLower(b),
        bool v => v ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        long l => type switch
        {
            DuckDBType.TimestampTz => Timestamp(l, 1_000_000, utc: true),
            DuckDBType.Timestamp => Timestamp(l, 1_000_000, utc: false),
            DuckDBType.TimestampS or DuckDBType.TimestampMs => Timestamp(l, 1_000_000, utc: false), // read as µs (QueryReader)
            DuckDBType.TimestampNs => Timestamp(l, 1_000_000_000, utc: false),
            DuckDBType.Date => Date(l),
            DuckDBType.Time => Time(l),
            _ => l.ToString(CultureInfo.InvariantCulture),
        },
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var other => other.ToString(),
    };

    /// <summary>ISO-8601 from a count of 1/<paramref name="perSecond"/> seconds since 1970; DuckDB's ±infinity as words.</summary>
    private static string Timestamp(long units, long perSecond, bool utc)
    {
        if (units == long.MaxValue) return "infinity";
        if (units == -long.MaxValue || units == long.MinValue) return "-infinity";
        long seconds = Math.DivRem(units, perSecond, out long fraction);
        if (fraction < 0) { seconds--; fraction += perSecond; }
        if (seconds < -62_135_596_800 || seconds > 253_402_300_799) return units.ToString(CultureInfo.InvariantCulture); // outside DateTime
        DateTime at = DateTime.UnixEpoch.AddSeconds(seconds);
        string text = at.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        // Microseconds for µs and coarser units (fixed width, so columns line up); nanoseconds for TIMESTAMP_NS.
        text += perSecond == 1_000_000_000
            ? "." + fraction.ToString("D9", CultureInfo.InvariantCulture)
            : "." + (fraction * (1_000_000 / perSecond)).ToString("D6", CultureInfo.InvariantCulture);
        return utc ? text + "Z" : text;
    }

    private static string Date(long days)
    {
        if (days is > 2_932_896 or < -719_162) return days.ToString(CultureInfo.InvariantCulture); // outside DateOnly (and ±infinity)
        return DateOnly.FromDateTime(DateTime.UnixEpoch.AddDays(days)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    private static string Time(long micros)
    {
        if (micros is < 0 or > MicrosPerDay) return micros.ToString(CultureInfo.InvariantCulture);
        if (micros == MicrosPerDay) return "24:00:00.000000";
        return new TimeOnly(micros * 10).ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
    }
}
