namespace HelpDesk.Web.Cli;

/// <summary>A parsed command line: positional words and <c>--name value</c> options (repeatable).</summary>
public sealed class CliArgs
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);

    public List<string> Words { get; } = [];

    /// <summary>Parses <paramref name="args"/>; options must be among <paramref name="allowed"/> (flags take no value).</summary>
    /// <param name="configOverrides">
    /// Also accept <c>--Section:Key=value</c> configuration overrides in the <c>=</c> form (the host reads them; the test
    /// host passes sections such as <c>--HelpDesk=</c> too).
    /// </param>
    public static CliArgs Parse(IEnumerable<string> args, IReadOnlySet<string> allowed, IReadOnlySet<string>? flags = null, bool configOverrides = false)
    {
        var result = new CliArgs();
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var a = list[i];
            if (!a.StartsWith("--", StringComparison.Ordinal) || a == "--") { result.Words.Add(a); continue; }
            var name = a[2..];
            string? value = null;
            var eq = name.IndexOf('=');
            if (eq >= 0) { value = name[(eq + 1)..]; name = name[..eq]; }
            if (!allowed.Contains(name) && !(configOverrides && eq >= 0)) throw new CliUsageException($"unknown option --{name}");
            if (flags?.Contains(name) == true) value ??= "true";
            else if (value is null)
            {
                if (i + 1 >= list.Count) throw new CliUsageException($"--{name} needs a value");
                value = list[++i];
            }
            if (!result._options.TryGetValue(name, out var values)) result._options[name] = values = [];
            values.Add(value);
        }
        return result;
    }

    public string? Option(string name) => _options.TryGetValue(name, out var v) ? v[^1] : null;

    public IReadOnlyList<string> Options(string name) => _options.TryGetValue(name, out var v) ? v : [];

    public string Required(string name) => Option(name) ?? throw new CliUsageException($"--{name} is required");
}

/// <summary>The command line is wrong: print one line and the usage, exit 2.</summary>
public sealed class CliUsageException(string message) : Exception(message);
