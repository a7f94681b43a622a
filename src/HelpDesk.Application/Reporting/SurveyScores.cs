namespace HelpDesk.Application.Reporting;

/// <summary>CSAT: the share of answers (1–5) that are 4 or 5.</summary>
public sealed record CsatScore(int Answers, int Satisfied, double? Score)
{
    public static CsatScore Of(IEnumerable<int> ratings)
    {
        int answers = 0, satisfied = 0;
        foreach (var r in ratings)
        {
            answers++;
            if (r >= 4) satisfied++;
        }
        return new CsatScore(answers, satisfied, Ratio.Of(satisfied, answers));
    }
}

/// <summary>NPS: % of promoters (9–10) minus % of detractors (0–6), from −100 to 100; null without answers.</summary>
public sealed record NpsScore(int Answers, int Promoters, int Passives, int Detractors, double? Score)
{
    public static NpsScore Of(IEnumerable<int> answers)
    {
        int promoters = 0, passives = 0, detractors = 0;
        foreach (var a in answers)
        {
            if (a >= 9) promoters++;
            else if (a >= 7) passives++;
            else detractors++;
        }
        var total = promoters + passives + detractors;
        return new NpsScore(total, promoters, passives, detractors,
            total == 0 ? null : 100.0 * promoters / total - 100.0 * detractors / total);
    }
}

/// <summary>CES: answers 1–7 ("how easy was it"), as the mean and the count of each answer (index 0 is 1, index 6 is 7).</summary>
public sealed record CesScore(int Answers, double? Mean, IReadOnlyList<int> Distribution)
{
    public static CesScore Of(IEnumerable<int> answers)
    {
        var distribution = new int[7];
        long sum = 0;
        var count = 0;
        foreach (var a in answers)
        {
            if (a is < 1 or > 7) continue;
            distribution[a - 1]++;
            sum += a;
            count++;
        }
        return new CesScore(count, count == 0 ? null : (double)sum / count, distribution);
    }
}
