using FluentValidation;
using FluentValidation.Results;
using HelpDesk.Application.Common;
using Mediator;

namespace HelpDesk.Application.Sla.Simulation;

/// <summary>
/// <c>helpdesk sla simulate</c> over the API (<c>POST /api/v1/sla/simulate</c>): the scenario JSON in, the report out. Pure:
/// nothing is read or written. Bad input is a 400 naming the field by its JSON path.
/// </summary>
public sealed record SimulateSla(string Scenario) : IQuery<SlaReportDto>, ILeadOnly;

public sealed class SimulateSlaHandler : IQueryHandler<SimulateSla, SlaReportDto>
{
    public ValueTask<SlaReportDto> Handle(SimulateSla query, CancellationToken ct)
    {
        try
        {
            return ValueTask.FromResult(SlaReportDto.From(SlaSimulator.Simulate(query.Scenario)));
        }
        catch (SlaScenarioException e)
        {
            throw new ValidationException([new ValidationFailure(e.Field, e.Problem)]);
        }
    }
}
