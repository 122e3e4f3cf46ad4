using System.Globalization;
using System.Text;

namespace FastLoad.Runner.Report;

/// <summary>
/// A small inline-SVG chart: line and bar series over a shared linear x axis, y from zero, ticks with nice steps,
/// a legend. Every series is one element with <c>class="series"</c> and <c>data-points</c> (line: one path whose
/// <c>d</c> has one M/L command per point; bars: a group of <c>rect.bar</c>), so a test can count what rendered.
/// </summary>
internal sealed class SvgChart(string id, string xLabel, string yLabel)
{
    private const int Width = 620, Height = 300;
    private const int Left = 64, Right = 16, Top = 30, Bottom = 44;
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static readonly string[] Palette = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563"];

    private readonly List<Series> _series = [];

    /// <summary>Bar width in x units (0: from the spacing of the first bar series).</summary>
    public double BarWidth { get; set; }

    /// <summary>Fixed x tick step (0: a nice step for the range) and a label for each tick (null: the value, compact).</summary>
    public double XStep { get; set; }
    public Func<double, string>? XTickLabel { get; set; }

    /// <summary>Shown in the middle of the plot when no series has a point.</summary>
    public string EmptyText { get; set; } = "no data";

    public SvgChart Line(string name, string color, double[] x, double[] y, bool dashed = false)
    {
        _series.Add(new Series(name, color, x, y, Bars: false, dashed, 1));
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
        bool anyBars = _series.Exists(s => s.Bars);
        if (points == 0) { xMin = 0; xMax = 1; }
        if (anyBars) { xMin -= barWidth / 2; xMax += barWidth / 2; }
        if (xMax <= xMin) xMax = xMin + 1;
        double yStep = FastLoad.Engine.Results.RunSeries.NiceStep(Math.Max(yMax, 1e-9) / 5);
        if (yMax <= 0) yStep = 1;
        double yTop = Math.Max(yStep, Math.Ceiling(yMax / yStep - 1e-9) * yStep);
        if (yTop < yMax * 1.02) yTop += yStep;
        double xStep = XStep > 0 ? XStep : FastLoad.Engine.Results.RunSeries.NiceStep((xMax - xMin) / 8);

        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        double Px(double x) => Left + (x - xMin) / (xMax - xMin) * plotW;
        double Py(double y) => Top + plotH - y / yTop * plotH;

        var s = new StringBuilder();
        s.Append(C, $"""<svg id="{id}" class="chart" viewBox="0 0 {Width} {Height}" width="{Width}" height="{Height}" role="img" xmlns="http://www.w3.org/2000/svg">""").Append('\n');
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
        for (double x = Math.Ceiling(xMin / xStep) * xStep; x <= xMax + xStep / 1000; x += xStep)
        {
            double px = Px(x);
            s.Append(C, $"""<line x1="{px:F1}" x2="{px:F1}" y1="{Top + plotH}" y2="{Top + plotH + 5}" class="base"/><text x="{px:F1}" y="{Top + plotH + 18}" text-anchor="middle">{Html.Escape(XTickLabel?.Invoke(x) ?? Compact(x))}</text>""");
        }
        s.Append(C, $"""<text class="label" x="{Left + plotW / 2:F0}" y="{Height - 6}" text-anchor="middle">{Html.Escape(xLabel)}</text></g>""").Append('\n');

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

    private sealed record Series(string Name, string Color, double[] X, double[] Y, bool Bars, bool Dashed, double WidthFraction);
}
