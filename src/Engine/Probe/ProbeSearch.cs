namespace FastLoad.Engine.Probe;

/// <summary>
/// The search, apart from any node: steps up (× factor, capped), and at the first failing step bisects between the
/// last good and the first bad rate until the gap is within the precision (or the bisect budget is spent), then holds
/// the last good rate for longer. A hold that passes is the answer; one that fails is tried again lower. No answer
/// when the first step fails, or every hold does.
/// </summary>
public sealed class ProbeSearch
{
    private readonly ProbeSettings _s;
    private double? _good;
    private double? _bad;
    private int _bisects;
    private int _holds;

    public ProbeSearch(ProbeSettings settings)
    {
        settings.Validate();
        _s = settings;
        Next = (ProbeKind.Step, settings.StartRate);
    }

    /// <summary>The phase to run next; null when the search is over.</summary>
    public (ProbeKind Kind, double Rate)? Next { get; private set; }

    /// <summary>The confirmed sustainable rate, once found.</summary>
    public double? Sustainable { get; private set; }

    /// <summary>Why the search ended without an answer.</summary>
    public string? Failure { get; private set; }

    /// <summary>The answer is the cap: every step passed up to <see cref="ProbeSettings.MaxRate"/>.</summary>
    public bool AtCap { get; private set; }

    /// <summary>Steps run so far of each kind (names: "step 3", "bisect 1", "hold 2").</summary>
    public int Count(ProbeKind kind) => kind switch { ProbeKind.Bisect => _bisects, ProbeKind.Hold => _holds, _ => _steps };

    private int _steps;

    /// <summary>The outcome of <see cref="Next"/>; moves the search on.</summary>
    public void Record(bool pass)
    {
        if (Next is not (ProbeKind kind, double rate)) throw new InvalidOperationException("the search is over");
        switch (kind)
        {
            case ProbeKind.Step:
                _steps++;
                if (pass)
                {
                    _good = rate;
                    if (rate >= _s.MaxRate) { AtCap = true; HoldAt(rate); }
                    else Next = (ProbeKind.Step, Math.Min(Round(rate * _s.Factor), _s.MaxRate));
                }
                else if (_good is null)
                {
                    Done(null, $"the node does not sustain even the lowest step ({rate:0.###} tx/s)");
                }
                else
                {
                    _bad = rate;
                    BisectOrHold();
                }
                break;
            case ProbeKind.Bisect:
                _bisects++;
                if (pass) _good = rate; else _bad = rate;
                BisectOrHold();
                break;
            case ProbeKind.Hold:
                _holds++;
                if (pass) Done(rate, null);
                else if (_holds >= _s.MaxHolds) Done(null, $"no hold passed ({_holds} tried, the last at {rate:0.###} tx/s)");
                else { AtCap = false; Next = (ProbeKind.Hold, Round(rate * _s.HoldStepDown)); }
                break;
        }
    }

    private void BisectOrHold()
    {
        double good = _good!.Value, bad = _bad!.Value;
        double mid = Round((good + bad) / 2);
        if (bad - good <= good * _s.Precision || _bisects >= _s.MaxBisects || mid <= good || mid >= bad) HoldAt(good);
        else Next = (ProbeKind.Bisect, mid);
    }

    private void HoldAt(double rate) => Next = (ProbeKind.Hold, rate);

    private void Done(double? sustainable, string? failure)
    {
        Sustainable = sustainable;
        Failure = failure;
        Next = null;
    }

    /// <summary>Whole tx/s from 10 up; below that, tenths.</summary>
    internal static double Round(double rate) => rate >= 10 ? Math.Round(rate) : Math.Round(rate, 1);
}
