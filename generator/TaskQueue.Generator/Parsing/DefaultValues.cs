using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TaskQueue.Generator;

namespace TaskQueue.Generator.Parsing;

/// <summary>Writes a parameter's default value as a C# expression that the generated code can repeat.</summary>
internal static class DefaultValues
{
    public static string? Of(IParameterSymbol parameter)
        => parameter.HasExplicitDefaultValue ? Format(parameter.ExplicitDefaultValue, parameter.Type) : null;

    public static string Format(object? value, ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            return value is null ? "null" : Format(value, nullable.TypeArguments[0]);
        }
        if (value is null)
        {
            return type.IsValueType ? "default" : "null";
        }
        if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum } enumType)
        {
            return FormatEnum(value, enumType);
        }
        return FormatPrimitive(value);
    }

    private static string FormatEnum(object value, INamedTypeSymbol enumType)
    {
        string typeName = TypeNames.ForCode(enumType);
        var member = enumType.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, value));
        if (member is not null)
        {
            return typeName + "." + Identifiers.Escape(member.Name);
        }
        string number = FormatPrimitive(value);
        return number.StartsWith("-", StringComparison.Ordinal) ? $"({typeName})({number})" : $"({typeName}){number}";
    }

    private static string FormatPrimitive(object value) => value switch
    {
        string s => SymbolDisplay.FormatLiteral(s, quote: true),
        char c => SymbolDisplay.FormatLiteral(c, quote: true),
        bool b => b ? "true" : "false",
        float f => FormatFloat(f),
        double d => FormatDouble(d),
        decimal m => m.ToString(CultureInfo.InvariantCulture) + "m",
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        ulong ul => ul.ToString(CultureInfo.InvariantCulture) + "UL",
        uint ui => ui.ToString(CultureInfo.InvariantCulture) + "U",
        IFormattable n => n.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "default",
    };

    private static string FormatFloat(float f)
    {
        if (float.IsNaN(f)) return "float.NaN";
        if (float.IsPositiveInfinity(f)) return "float.PositiveInfinity";
        if (float.IsNegativeInfinity(f)) return "float.NegativeInfinity";
        return f.ToString("R", CultureInfo.InvariantCulture) + "F";
    }

    private static string FormatDouble(double d)
    {
        if (double.IsNaN(d)) return "double.NaN";
        if (double.IsPositiveInfinity(d)) return "double.PositiveInfinity";
        if (double.IsNegativeInfinity(d)) return "double.NegativeInfinity";
        return d.ToString("R", CultureInfo.InvariantCulture) + "D";
    }
}
