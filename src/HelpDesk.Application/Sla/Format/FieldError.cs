namespace HelpDesk.Application.Sla.Format;

/// <summary>
/// A problem with one field of configuration text, named by its JSON path relative to what was parsed
/// (<c>week.monday[0][1]</c>). The API reports these as a 400 naming the fields, the simulator prints the first as one
/// line (<c>calendar.week.monday[0][1]: bad time ...</c>), storage treats any as corrupt data.
/// </summary>
public sealed record FieldError(string Field, string Message)
{
    /// <summary>The same error under a parent field: <c>Under("calendar")</c> turns <c>week</c> into <c>calendar.week</c>.</summary>
    public FieldError Under(string parent) => parent.Length == 0 ? this : this with { Field = $"{parent}.{Field}" };
}
