namespace FastLoad.Runner.Report;

/// <summary>HTML text escaping for the report page.</summary>
internal static class Html
{
    public static string Escape(string? s) => System.Net.WebUtility.HtmlEncode(s ?? "");
}
