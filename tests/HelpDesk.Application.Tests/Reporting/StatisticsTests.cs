using HelpDesk.Application.Reporting;

namespace HelpDesk.Application.Tests.Reporting;

public sealed class StatisticsTests
{
    [Fact]
    public void Median_of_an_even_count_is_the_average_of_the_two_middle_values_and_p90_is_the_nearest_rank()
    {
        Statistics.Summarise([8000, 1000, 4000, 2000]).Should().Be(new DurationStats(3750, 3000, 8000));
    }

    [Fact]
    public void P90_of_ten_values_is_the_ninth_and_of_eleven_the_tenth()
    {
        Statistics.Summarise(Enumerable.Range(1, 10).Select(i => (long)i)).P90Ms.Should().Be(9);
        Statistics.Summarise(Enumerable.Range(1, 11).Select(i => (long)i)).P90Ms.Should().Be(10);
    }

    [Fact]
    public void No_values_give_no_figures() => Statistics.Summarise(Array.Empty<long>()).Should().Be(DurationStats.Empty);

    [Fact]
    public void Csat_is_the_share_of_answers_that_are_4_or_5() =>
        CsatScore.Of([5, 4, 3, 1, 5]).Should().Be(new CsatScore(5, 3, 0.6));

    [Fact]
    public void Nps_is_the_percentage_of_promoters_minus_the_percentage_of_detractors()
    {
        NpsScore.Of([10, 9, 8, 7, 6, 0]).Should().Be(new NpsScore(6, 2, 2, 2, 0));
        NpsScore.Of([10, 10, 10, 0]).Should().Be(new NpsScore(4, 3, 0, 1, 50));
        NpsScore.Of([]).Score.Should().BeNull();
    }

    [Fact]
    public void Ces_reports_the_mean_and_the_count_of_each_answer_from_1_to_7()
    {
        var ces = CesScore.Of([1, 7, 7, 4]);
        ces.Answers.Should().Be(4);
        ces.Mean.Should().Be(4.75);
        ces.Distribution.Should().Equal(1, 0, 0, 1, 0, 0, 2);
    }
}
