using System.Globalization;

namespace FastLoad.Tests.Infrastructure;

/// <summary>
/// One scrape of a <c>/metrics</c> page in the Prometheus text format (0.0.4), as samples: name, labels and value.
/// Enough of the format for our own pages (no escaped quotes in label values, no timestamps).
/// </summary>
public sealed class PrometheusText
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

    public string Raw { get; }

    private PrometheusText(string raw) => Raw = raw;

    public static async Task<PrometheusText> ScrapeAsync(HttpClient http, string url) => Parse(await http.GetStringAsync(url));

    public static PrometheusText Parse(string text)
    {
        var page = new PrometheusText(text);
        foreach (string line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            int space = line.LastIndexOf(' ');
            string series = line[..space];
            double value = double.Parse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
            var labels = new Dictionary<string, string>();
            int brace = series.IndexOf('{');
            string name = brace < 0 ? series : series[..brace];
            if (brace >= 0)
            {
                foreach (string pair in series[(brace + 1)..^1].Split("\",", StringSplitOptions.RemoveEmptyEntries))
                {
                    int eq = pair.IndexOf('=');
                    labels[pair[..eq]] = pair[(eq + 1)..].Trim('"');
                }
            }
            page._samples.Add((name, labels, value));
        }
        return page;
    }

    /// <summary>The sum over every series of <paramref name="name"/> whose labels include <paramref name="match"/>; null when there is none.</summary>
    public double? Sum(string name, params (string Label, string Value)[] match)
    {
        double? total = null;
        foreach ((string n, Dictionary<string, string> labels, double value) in _samples)
        {
            if (n != name || match.Any(m => !labels.TryGetValue(m.Label, out string? v) || v != m.Value)) continue;
            total = (total ?? 0) + value;
        }
        return total;
    }

    /// <summary>The one series' value; fails when there is none.</summary>
    public double Value(string name, params (string Label, string Value)[] match) =>
        Sum(name, match) ?? throw new Xunit.Sdk.XunitException($"no sample {name} {string.Join(",", match)} in:\n{Raw}");

    public IEnumerable<string> Names => _samples.Select(s => s.Name).Distinct();
}
