using System.Linq.Expressions;
using FluentValidation;
using HelpDesk.Application.Persistence;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Common;

/// <summary>
/// Validation of text the help desk stores: at most as long as its column (read from the EF model, the one place a
/// column's length is configured, so validation and database never disagree) and free of control characters where they
/// make no sense. Validators use these rules instead of literal lengths; a failure is a 400 naming the field.
/// </summary>
public static class StoredText
{
    /// <summary>The maximum length of <paramref name="column"/> in the model, or null when it is unbounded.</summary>
    public static int? MaxLength<TEntity>(HelpDeskDbContext db, Expression<Func<TEntity, string?>> column)
    {
        var name = column.Body is MemberExpression m ? m.Member.Name : throw new ArgumentException("A property of the entity is expected.", nameof(column));
        var property = db.Model.FindEntityType(typeof(TEntity))?.FindProperty(name)
            ?? throw new InvalidOperationException($"{typeof(TEntity).Name}.{name} is not mapped.");
        return property.GetMaxLength() is > 0 and var max ? max : null;
    }

    /// <summary>
    /// The value fits <paramref name="column"/> and carries no control characters (line breaks and tabs are allowed
    /// when <paramref name="multiline"/>).
    /// </summary>
    public static IRuleBuilderOptions<T, string?> StoredAs<T, TEntity>(this IRuleBuilder<T, string?> rule, HelpDeskDbContext db,
        Expression<Func<TEntity, string?>> column, bool multiline = false)
    {
        var options = rule.NoControlCharacters(multiline);
        return MaxLength(db, column) is { } max ? options.MaximumLength(max) : options;
    }

    public static IRuleBuilderOptions<T, string?> NoControlCharacters<T>(this IRuleBuilder<T, string?> rule, bool multiline = false) =>
        rule.Must(v => v is null || !HasControlCharacters(v, multiline)).WithMessage("'{PropertyName}' must not contain control characters.");

    /// <summary>
    /// For text the help desk stores from what others sent (a quarantined message's subject, sender, error): control
    /// characters other than line breaks and tabs become U+FFFD, so a NUL never reaches a column (PostgreSQL refuses it).
    /// </summary>
    public static string? Printable(string? value) =>
        value is null || !HasControlCharacters(value, multiline: true) ? value
        : string.Concat(value.Select(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t') || c is '\u2028' or '\u2029' ? '\uFFFD' : c));

    public static bool HasControlCharacters(string value, bool multiline) =>
        value.Any(c => (char.IsControl(c) && !(multiline && c is '\n' or '\r' or '\t')) || c is '\u2028' or '\u2029');
}
