namespace CloneFlow.Simulator.Seeding;

/// <summary>The scoped app in development every seeded sub-production instance has and production lacks.</summary>
public static class SeededApp
{
    /// <summary>The app's name.</summary>
    public const string Name = "Acme Facilities Requests";

    /// <summary>Its scope.</summary>
    public const string Scope = "x_acme_facreq";

    /// <summary>Its version.</summary>
    public const string Version = "1.0.0";

    /// <summary>The table it owns.</summary>
    public const string Table = Scope + "_request";

    /// <summary>The Git repository the app is linked to on <paramref name="instance"/> when <see cref="EstateOptions.LinkScopedAppToSourceControl"/> is set.</summary>
    public static string RepositoryUrl(string instance) => $"https://git.example.com/acme/{instance}/{Scope}.git";

    /// <summary>The branch it is linked on.</summary>
    public const string Branch = "main";

    /// <summary>Rows seeded in <see cref="Table"/>.</summary>
    public const int Rows = 12;

    /// <summary>The table's dictionary: the collection entry (empty element) and its columns.</summary>
    public static IReadOnlyList<(string Element, string Type, string Label)> Columns { get; } =
    [
        (string.Empty, "collection", "Facilities request"),
        ("number", "string", "Number"),
        ("short_description", "string", "Short description"),
        ("location", "string", "Location"),
        ("state", "integer", "State"),
    ];
}
