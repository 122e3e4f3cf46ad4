using System.Globalization;
using System.Text;

namespace FastLoad.Runner.Report;

/// <summary>
/// A small inline-SVG chart: line and bar series over a shared linear x axis, y from zero, ticks with nice steps,
/// a legend. Every series is one element with <c>class="series"</c> and <c>data-points</c> (line: one path whose
/// <c>d</c> has one M/L command per point; bars: a group of <c>rect.bar</c>), so a test can count what rendered.
/// With <see cref="XLabels"/> the x axis is categories (x = 0, 1, ... each labelled); a line can mark each point
/// (<c>circle.point</c> with <c>data-series</c>, <c>data-index</c>, <c>data-value</c>), <see cref="Band"/> tints an x range
/// (<c>rect.band</c>) and <see cref="HLine"/> draws a horizontal reference line (<c>line.ref</c> with <c>data-value</c>).
/// </summary>
internal sealed class SvgChart(string id, string xLabel, string yLabel)
{
    private const int Width = 620, BaseHeight = 300;
    private const int Left = 64, Right = 16, Top = 30, BaseBottom = 44;
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static readonly string[] Palette = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563"];

    private readonly List<Series> _series = [];
    private readonly List<BandSpec> _bands = [];
    private readonly List<RefLine> _refs = [];

    /// <summary>Bar width in x units (0: from the spacing of the first bar series).</summary>
    public double BarWidth { get; set; }

    /// <summary>Fixed x tick step (0: a nice step for the range) and a label for each tick (null: the value, compact).</summary>
    public double XStep { get; set; }
    public Func<double, string>? XTickLabel { get; set; }

    /// <summary>Shown in the middle of the plot when no series has a point.</summary>
    public string EmptyText { get; set; } = "no data";

    /// <summary>Category labels: x is the category's index, the axis has one tick per label (rotated when they do not fit side by side).</summary>
    public IReadOnlyList<string>? XLabels { get; set; }

    /// <summary>A line; with <paramref name="pointTitles"/>, a marker with that tooltip at each point.</summary>
    public SvgChart Line(string name, string color, double[] x, double[] y, bool dashed = false, string[]? pointTitles = null)
    {
        _series.Add(new Series(name, color, x, y, Bars: false, dashed, 1, pointTitles));
        return this;
    }

    /// <summary>
    /// Tints x from <paramref name="x0"/> to <paramref name="x1"/> behind the series; <paramref name="legend"/> (once per name)
    /// goes in the legend. <paramref name="data"/> becomes <c>data-*</c> attributes.
    /// </summary>
    public SvgChart Band(double x0, double x1, string fill, string legend, string title, params (string Key, string Value)[] data)
    {
        _bands.Add(new BandSpec(x0, x1, fill, legend, title, data));
        return this;
    }

    /// <summary>A horizontal line across the plot at <paramref name="y"/>, labelled, in the legend.</summary>
    public SvgChart HLine(string name, string color, double y, string label, bool dashed = true)
    {
        _refs.Add(new RefLine(name, color, y, label, dashed));
        return this;
    }

    /// <summary>Bars centred on x; <paramref name="widthFraction"/> of the bar width (narrower bars drawn over wider ones).</summary>
    public SvgChart Bars(string name, string color, double[] x, double[] y, double widthFraction = 0.8)
    {
        _series.Add(new Series(name, color, x, y, Bars: true, false, widthFraction));
        return this;
    }

    public string Render()
    {
        double xMin = double.PositiveInfinity, xMax = double.NegativeInfinity, yMax = 0;
        int points = 0;
        foreach (Series ser in _series)
        {
            for (int i = 0; i < ser.X.Length; i++)
            {
                if (double.IsNaN(ser.Y[i])) continue;
                points++;
                xMin = Math.Min(xMin, ser.X[i]);
                xMax = Math.Max(xMax, ser.X[i]);
                yMax = Math.Max(yMax, ser.Y[i]);
            }
        }
        double barWidth = BarWidth;
        if (barWidth <= 0)
        {
            foreach (Series ser in _series)
                if (ser.Bars && ser.X.Length > 1) { barWidth = (ser.X[^1] - ser.X[0]) / (ser.X.Length - 1); break; }
            if (barWidth <= 0) barWidth = 1;
        }
        foreach (RefLine r in _refs) yMax = Math.Max(yMax, r.Y);
        bool anyBars = _series.Exists(s => s.Bars);
        IReadOnlyList<string>? categories = XLabels;
        if (categories is { Count: > 0 }) { xMin = 0; xMax = categories.Count - 1; }
        else if (points == 0) { xMin = 0; xMax = 1; }
        if (anyBars) { xMin -= barWidth / 2; xMax += barWidth / 2; }
        else if (categories is { Count: > 0 }) { xMin -= 0.5; xMax += 0.5; }
        if (xMax <= xMin) xMax = xMin + 1;
        double yStep = FastLoad.Engine.Results.RunSeries.NiceStep(Math.Max(yMax, 1e-9) / 5);
        if (yMax <= 0) yStep = 1;
        double yTop = Math.Max(yStep, Math.Ceiling(yMax / yStep - 1e-9) * yStep);
        if (yTop < yMax * 1.02) yTop += yStep;
        double xStep = XStep > 0 ? XStep : FastLoad.Engine.Results.RunSeries.NiceStep((xMax - xMin) / 8);

        double plotW = Width - Left - Right;
        // Category labels side by side when they fit (6.2 px a character at 11 px), else rotated 40° (more room below).
        bool rotate = false;
        int bottom = BaseBottom;
        if (categories is { Count: > 0 })
        {
            int longest = categories.Max(l => l.Length);
            rotate = longest * 6.2 > plotW / categories.Count - 4;
            if (rotate) bottom = BaseBottom + (int)Math.Ceiling(longest * 6.2 * Math.Sin(40 * Math.PI / 180));
        }
        int height = BaseHeight - BaseBottom + bottom;
        double plotH = height - Top - bottom;
        double Px(double x) => Left + (x - xMin) / (xMax - xMin) * plotW;
        double Py(double y) => Top + plotH - y / yTop * plotH;

        var s = new StringBuilder();
        s.Append(C, $"""<svg id="{id}" class="chart" viewBox="0 0 {Width} {height}" width="{Width}" height="{height}" role="img" xmlns="http://www.w3.org/2000/svg">""").Append('\n');
        // bands behind everything, the grid included
        if (_bands.Count > 0)
        {
            s.Append("""<g class="bands">""");
            foreach (BandSpec b in _bands)
            {
                double x0 = Px(Math.Max(b.X0, xMin)), x1 = Px(Math.Min(b.X1, xMax));
                s.Append(C, $"""<rect class="band" x="{x0:F1}" y="{Top}" width="{Math.Max(0, x1 - x0):F1}" height="{plotH:F1}" fill="{b.Fill}" """);
                foreach (var (key, value) in b.Data) s.Append(C, $"""data-{key}="{Html.Escape(value)}" """);
                s.Append(C, $"""><title>{Html.Escape(b.Title)}</title></rect>""");
            }
            s.Append("</g>\n");
        }

        // grid + y ticks
        s.Append("""<g class="axis y">""");
        for (double y = 0; y <= yTop + yStep / 1000; y += yStep)
        {
            double py = Py(y);
            s.Append(C, $"""<line x1="{Left}" x2="{Width - Right}" y1="{py:F1}" y2="{py:F1}" class="grid"/><text x="{Left - 6}" y="{py + 4:F1}" text-anchor="end">{Html.Escape(Compact(y))}</text>""");
        }
        s.Append(C, $"""<text class="label" transform="translate(14 {Top + plotH / 2:F0}) rotate(-90)" text-anchor="middle">{Html.Escape(yLabel)}</text></g>""").Append('\n');
        // x ticks
        s.Append("""<g class="axis x">""");
        s.Append(C, $"""<line x1="{Left}" x2="{Width - Right}" y1="{Top + plotH}" y2="{Top + plotH}" class="base"/>""");
        if (categories is { Count: > 0 })
        {
            for (int i = 0; i < categories.Count; i++)
            {
                double px = Px(i);
                s.Append(C, $"""<line x1="{px:F1}" x2="{px:F1}" y1="{Top + plotH}" y2="{Top + plotH + 5}" class="base"/>""");
                s.Append(rotate
                    ? string.Create(C, $"""<text class="category" x="{px + 3:F1}" y="{Top + plotH + 14}" text-anchor="end" transform="rotate(-40 {px + 3:F1} {Top + plotH + 14})">{Html.Escape(categories[i])}</text>""")
                    : string.Create(C, $"""<text class="category" x="{px:F1}" y="{Top + plotH + 18}" text-anchor="middle">{Html.Escape(categories[i])}</text>"""));
            }
        }
        else
        {
            for (double x = Math.Ceiling(xMin / xStep) * xStep; x <= xMax + xStep / 1000; x += xStep)
            {
                double px = Px(x);
                s.Append(C, $"""<line x1="{px:F1}" x2="{px:F1}" y1="{Top + plotH}" y2="{Top + plotH + 5}" class="base"/><text x="{px:F1}" y="{Top + plotH + 18}" text-anchor="middle">{Html.Escape(XTickLabel?.Invoke(x) ?? Compact(x))}</text>""");
            }
        }
        s.Append(C, $"""<text class="label" x="{Left + plotW / 2:F0}" y="{height - 6}" text-anchor="middle">{Html.Escape(xLabel)}</text></g>""").Append('\n');

        // series: bars first (wider before narrower), lines on top
        s.Append("""<g class="plot">""").Append('\n');
        foreach (Series series in _series)
        {
            if (!series.Bars) continue;
            int n = CountPoints(series);
            s.Append(C, $"""<g class="series bars" data-name="{Html.Escape(series.Name)}" data-points="{n}" fill="{series.Color}">""");
            double w = Math.Max(1, barWidth / (xMax - xMin) * plotW * series.WidthFraction);
            for (int i = 0; i < series.X.Length; i++)
            {
                if (double.IsNaN(series.Y[i])) continue;
                double px = Px(series.X[i]), py = Py(series.Y[i]);
                s.Append(C, $"""<rect class="bar" x="{px - w / 2:F1}" y="{py:F1}" width="{w:F1}" height="{Math.Max(0, Top + plotH - py):F1}"><title>{Html.Escape(Compact(series.X[i]))}: {Html.Escape(Compact(series.Y[i]))}</title></rect>""");
            }
            s.Append("</g>\n");
        }
        foreach (Series series in _series)
        {
            if (series.Bars) continue;
            int n = CountPoints(series);
            s.Append(C, $"""<path class="series line" data-name="{Html.Escape(series.Name)}" data-points="{n}" fill="none" stroke="{series.Color}" stroke-width="2"{(series.Dashed ? " stroke-dasharray=\"6 4\"" : "")} stroke-linejoin="round" d="{PathData(series, Px, Py)}"/>""").Append('\n');
        }
        foreach (Series series in _series)
        {
            if (series.PointTitles is not { } titles) continue;
            s.Append(C, $"""<g class="points" data-series="{Html.Escape(series.Name)}" fill="{series.Color}">""");
            for (int i = 0; i < series.X.Length; i++)
            {
                if (double.IsNaN(series.Y[i])) continue;
                s.Append(C, $"""<circle class="point" data-series="{Html.Escape(series.Name)}" data-index="{i}" data-value="{series.Y[i]:R}" cx="{Px(series.X[i]):F1}" cy="{Py(series.Y[i]):F1}" r="3.5"><title>{Html.Escape(i < titles.Length ? titles[i] : "")}</title></circle>""");
            }
            s.Append("</g>\n");
        }
        foreach (RefLine r in _refs)
        {
            double py = Py(r.Y);
            s.Append(C, $"""<line class="ref" data-name="{Html.Escape(r.Name)}" data-value="{r.Y:R}" x1="{Left}" x2="{Width - Right}" y1="{py:F1}" y2="{py:F1}" stroke="{r.Color}" stroke-width="1.5"{(r.Dashed ? " stroke-dasharray=\"6 4\"" : "")}/>""");
            s.Append(C, $"""<text class="ref-label" x="{Width - Right - 4}" y="{py - 4:F1}" text-anchor="end" fill="{r.Color}">{Html.Escape(r.Label)}</text>""").Append('\n');
        }
        if (points == 0)
            s.Append(C, $"""<text class="empty" x="{Left + plotW / 2:F0}" y="{Top + plotH / 2:F0}" text-anchor="middle">{Html.Escape(EmptyText)}</text>""");
        s.Append("</g>\n");

        // legend, above the plot
        s.Append("""<g class="legend">""");
        double lx = Left;
        foreach (Series series in _series)
        {
            if (series.Bars) s.Append(C, $"""<rect x="{lx:F0}" y="8" width="14" height="10" fill="{series.Color}"/>""");
            else s.Append(C, $"""<line x1="{lx:F0}" x2="{lx + 14:F0}" y1="13" y2="13" stroke="{series.Color}" stroke-width="2.5"{(series.Dashed ? " stroke-dasharray=\"4 3\"" : "")}/>""");
            s.Append(C, $"""<text x="{lx + 18:F0}" y="17">{Html.Escape(series.Name)}</text>""");
            lx += 30 + series.Name.Length * 6.5;
        }
        foreach (RefLine r in _refs)
        {
            s.Append(C, $"""<line x1="{lx:F0}" x2="{lx + 14:F0}" y1="13" y2="13" stroke="{r.Color}" stroke-width="2"{(r.Dashed ? " stroke-dasharray=\"4 3\"" : "")}/><text x="{lx + 18:F0}" y="17">{Html.Escape(r.Name)}</text>""");
            lx += 30 + r.Name.Length * 6.5;
        }
        var legends = new HashSet<string>();
        foreach (BandSpec b in _bands)
        {
            if (b.Legend.Length == 0 || !legends.Add(b.Legend)) continue;
            s.Append(C, $"""<rect x="{lx:F0}" y="7" width="14" height="12" fill="{b.Fill}" stroke="#d1d5db"/><text x="{lx + 18:F0}" y="17">{Html.Escape(b.Legend)}</text>""");
            lx += 30 + b.Legend.Length * 6.5;
        }
        s.Append("</g>\n</svg>");
        return s.ToString();
    }

    private static int CountPoints(Series s)
    {
        int n = 0;
        foreach (double y in s.Y) if (!double.IsNaN(y)) n++;
        return n;
    }

    private static string PathData(Series s, Func<double, double> px, Func<double, double> py)
    {
        var d = new StringBuilder();
        bool pen = false;
        for (int i = 0; i < s.X.Length; i++)
        {
            if (double.IsNaN(s.Y[i])) { pen = false; continue; }
            d.Append(C, $"{(pen ? "L" : "M")}{px(s.X[i]):F1} {py(s.Y[i]):F1} ");
            pen = true;
        }
        return d.ToString().TrimEnd();
    }

    /// <summary>1234 → 1.2k, 2500000 → 2.5M, 0.25 → 0.25.</summary>
    public static string Compact(double v)
    {
        double a = Math.Abs(v);
        if (a >= 1e9) return (v / 1e9).ToString("0.##", C) + "G";
        if (a >= 1e6) return (v / 1e6).ToString("0.##", C) + "M";
        if (a >= 1e4) return (v / 1e3).ToString("0.#", C) + "k";
        return v.ToString(a >= 100 ? "0" : "0.##", C);
    }

    private sealed record Series(string Name, string Color, double[] X, double[] Y, bool Bars, bool Dashed, double WidthFraction, string[]? PointTitles = null);

    private sealed record BandSpec(double X0, double X1, string Fill, string Legend, string Title, (string Key, string Value)[] Data);

    private sealed record RefLine(string Name, string Color, double Y, string Label, bool Dashed);
}
