using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace HelpDesk.Web.Tests.Persistence;

/// <summary>
/// Parses T-SQL the way SQL Server 2022 would (ScriptDom, no server needed) and reports every syntax error, including
/// those inside the dynamic SQL of <c>EXEC(N'...')</c>, where EF's idempotent scripts put each guarded statement.
/// </summary>
internal static class TSql
{
    public static IReadOnlyList<string> Errors(string script)
    {
        var errors = new List<string>();
        Collect(script, "", errors);
        return errors;
    }

    private static void Collect(string script, string where, List<string> errors)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(script);
        var fragment = parser.Parse(reader, out var parseErrors);
        var lines = script.Split('\n');
        foreach (var e in parseErrors)
        {
            var line = e.Line >= 1 && e.Line <= lines.Length ? lines[e.Line - 1].Trim() : "";
            errors.Add($"{where}line {e.Line}, column {e.Column}: {e.Message} | {line}");
        }
        if (parseErrors.Count > 0) return;
        var dynamic = new DynamicSql();
        fragment.Accept(dynamic);
        foreach (var (text, line) in dynamic.Statements) Collect(text, $"{where}EXEC at line {line} > ", errors);
    }

    /// <summary>The strings executed by <c>EXEC(...)</c> / <c>EXECUTE(...)</c>.</summary>
    private sealed class DynamicSql : TSqlFragmentVisitor
    {
        public List<(string Text, int Line)> Statements { get; } = [];

        public override void ExplicitVisit(ExecuteStatement node)
        {
            if (node.ExecuteSpecification?.ExecutableEntity is ExecutableStringList list)
                // A variable spliced in (EF's DROP CONSTRAINT [' + @var + ']) stands for a name: a placeholder keeps the syntax.
                Statements.Add((string.Concat(list.Strings.Select(s => s is StringLiteral literal ? literal.Value : "x")), node.StartLine));
            base.ExplicitVisit(node);
        }
    }
}
