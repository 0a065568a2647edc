namespace SupportAccessLogs;

/// <summary>What the record says about who initiated it, as rule 3 reads it.</summary>
internal enum InitiatorEvidence
{
    UserById,
    UserByUpn,
    /// <summary>A user object with the all-zero id and no UPN.</summary>
    PlaceholderUser,
    /// <summary>A user object with neither an id nor a UPN.</summary>
    UnidentifiedUser,
    /// <summary>initiatedBy present, its user null or missing.</summary>
    NoUser,
    /// <summary>initiatedBy null or missing.</summary>
    NoInitiator,
}
