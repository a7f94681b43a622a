using HelpDesk.Application.Macros;
using HelpDesk.Application.Macros.ApplyMacro;
using HelpDesk.Application.Macros.DeleteMacro;
using HelpDesk.Application.Macros.GetMacros;
using HelpDesk.Application.Macros.SaveMacro;
using Mediator;

namespace HelpDesk.Web.Endpoints;

public static class MacroEndpoints
{
    public static RouteGroupBuilder MapMacroEndpoints(this RouteGroupBuilder api)
    {
        var macros = api.MapGroup("/macros").WithTags("Macros");
        macros.MapGet("/", async (string? q, string? team, IMediator m, CancellationToken ct) => Results.Ok(await m.Send(new GetMacros(q, team), ct)))
            .WithSummary("The macros you may use (global and your teams'), by name; q narrows by name, team to that team's and the global ones")
            .Produces<IReadOnlyList<MacroDto>>();
        macros.MapPost("/", async (MacroInput r, IMediator m, CancellationToken ct) =>
        {
            var macro = await m.Send(new SaveMacro(null, r), ct);
            return Results.Created($"/api/v1/macros/{macro.Id}", macro);
        }).WithSummary("Create a macro (leads: global or their teams'; admins)").Produces<MacroDto>(201);
        macros.MapGet("/{id:guid}", async (Guid id, IMediator m, CancellationToken ct) => Results.Ok(await m.Send(new GetMacro(id), ct)))
            .WithSummary("One macro").Produces<MacroDto>();
        macros.MapPut("/{id:guid}", async (Guid id, MacroInput r, IMediator m, CancellationToken ct) => Results.Ok(await m.Send(new SaveMacro(id, r), ct)))
            .WithSummary("Replace a macro (leads and admins)").Produces<MacroDto>();
        macros.MapDelete("/{id:guid}", async (Guid id, IMediator m, CancellationToken ct) =>
        {
            await m.Send(new DeleteMacro(id), ct);
            return Results.NoContent();
        }).WithSummary("Delete a macro (leads and admins)").Produces(204);

        api.MapPost("/tickets/{number:int}/macros/{id:guid}", async (int number, Guid id, bool? preview, int? expectedVersion, IMediator m,
                CancellationToken ct) =>
            Results.Ok(await m.Send(new ApplyMacro(number, id, preview ?? false, expectedVersion), ct)))
            .WithTags("Macros")
            .WithSummary("Apply a macro to the ticket through the same changes as by hand; ?preview=true answers what it would do and changes nothing")
            .Produces<MacroApplication>();
        return api;
    }
}
