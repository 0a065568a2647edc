#Requires -Version 7.4
<#
.SYNOPSIS
Writes the module's MAML help file from docs/help/*.md and the built cmdlets' own metadata.

.DESCRIPTION
platyPS is not available where this module is built, so this script does its job for the
parts we need, in plain PowerShell with no other module:

- the words (synopsis, description, one description per parameter, inputs and outputs text,
  examples, notes, related links) come from one markdown file per cmdlet in -SourcePath, in
  the format described in docs/help/README.md;
- everything a script could contradict (parameter sets, types, mandatory, position, pipeline
  input, wildcards, aliases, enum and ValidateSet values, default values, output types) comes
  from the built module: it is imported from -ModulePath and read through Get-Command, so the
  help cannot drift from the code.

The result is <ModulePath>/<Culture>/<Assembly>-Help.xml, the file Get-Help looks for next to the
module manifest for cmdlets implemented in that assembly. A cmdlet or parameter the markdown
does not describe is written with an empty description and reported as a warning; the Pester
test tests/pester/Help.Tests.ps1 turns that into a failure. Source or output that is not ASCII
stops the script.

Run it in a fresh process (build.ps1 does), since it imports the module it documents.

.PARAMETER ModulePath
The built module folder, holding SupportAccessLogs.psd1.

.PARAMETER SourcePath
The folder of <Cmdlet-Name>.md help sources.

.PARAMETER Culture
The culture folder the help file goes into.

.EXAMPLE
dotnet pwsh -NoProfile -File build/New-MamlHelp.ps1 -ModulePath output/SupportAccessLogs -SourcePath docs/help
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SourcePath,
    [string] $Culture = 'en-US'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$ModuleName = 'SupportAccessLogs'
$NS = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}
$KnownSections = 'SYNOPSIS', 'DESCRIPTION', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'EXAMPLES', 'NOTES', 'RELATED LINKS'

function Assert-Ascii {
    param([string] $Text, [string] $Where)
    $lineNumber = 0
    foreach ($line in $Text -split "`n") {
        $lineNumber++
        $bad = [regex]::Match($line, '[^\x00-\x7F]')
        if ($bad.Success) {
            throw "$Where line ${lineNumber}: '$($bad.Value)' (U+$(([int][char]$bad.Value).ToString('X4'))) is not ASCII. Help text must be ASCII-only (Windows PowerShell reads BOM-less files as ANSI)."
        }
    }
}

function ConvertTo-Paragraph {
    <#
    Turns markdown lines into help paragraphs: a run of text lines is one paragraph (lines
    joined by spaces); a list is one paragraph with one line per item; a fenced block is one
    paragraph that keeps its lines. Inline `code` and **bold** marks are dropped.
    #>
    param([string[]] $Lines)
    $paragraphs = [System.Collections.Generic.List[string]]::new()
    $current = [System.Collections.Generic.List[string]]::new()
    $items = [System.Collections.Generic.List[string]]::new()
    $inFence = $false
    $fence = [System.Collections.Generic.List[string]]::new()
    $isList = $false

    $clean = { param([string] $text) ($text -replace '`([^`]+)`', '$1' -replace '\*\*([^*]+)\*\*', '$1').Trim() }
    $flush = {
        if ($current.Count -gt 0) {
            if ($isList) { $items.Add((& $clean ($current -join ' '))) }
            else { $paragraphs.Add((& $clean ($current -join ' '))) }
            $current.Clear()
        }
    }
    $flushList = {
        & $flush
        if ($items.Count -gt 0) {
            $paragraphs.Add(($items -join "`n"))
            $items.Clear()
        }
    }

    foreach ($line in $Lines) {
        if ($line -match '^\s*```') {
            if ($inFence) {
                $paragraphs.Add(($fence -join "`n"))
                $fence.Clear()
                $inFence = $false
            }
            else {
                & $flushList
                $isList = $false
                $inFence = $true
            }
            continue
        }
        if ($inFence) { $fence.Add($line.TrimEnd()); continue }

        if ($line -match '^\s*([-*]|\d+\.)\s+') {
            # A list item is one line of the list's paragraph and keeps its marker; blank lines
            # between items do not end the list.
            if (-not $isList) { & $flushList }
            & $flush
            $isList = $true
            $current.Add($line.Trim())
            continue
        }
        if ($line.Trim() -eq '') { & $flush; continue }
        if ($isList -and $line -match '^\s{2,}\S' -and $current.Count -gt 0) {
            $current.Add($line.Trim())
            continue
        }
        if ($isList) { & $flushList; $isList = $false }
        $current.Add($line.Trim())
    }
    & $flushList
    if ($inFence) { throw 'A fenced code block is not closed.' }
    $paragraphs.ToArray()
}

function Read-HelpSource {
    <#
    Reads one <Cmdlet-Name>.md file into its parts. The format (docs/help/README.md):
      # Cmdlet-Name
      ## SYNOPSIS / DESCRIPTION / NOTES          text
      ## PARAMETERS     ### -Name                 text; an optional line "Default value: ..." overrides the default
      ## INPUTS, OUTPUTS ### Type.Name            text
      ## EXAMPLES       ### Example N: Title      a fenced code block, then remarks
      ## RELATED LINKS  - [text](uri) | - Cmdlet-Name | - https://...
    #>
    param([string] $Path)
    $raw = Get-Content -LiteralPath $Path -Raw
    Assert-Ascii -Text $raw -Where $Path

    $source = [ordered]@{
        Name = $null; Sections = @{}; Parameters = [ordered]@{}; Inputs = [ordered]@{}
        Outputs = [ordered]@{}; Examples = [System.Collections.Generic.List[object]]::new()
    }
    $section = $null
    $item = $null
    $target = $null
    $inFence = $false
    $lineNumber = 0
    foreach ($line in $raw -split "\r?\n") {
        $lineNumber++
        if ($line -match '^\s*```') { $inFence = -not $inFence }
        if (-not $inFence) {
            if ($line -match '^# (?<name>\S+)\s*$') {
                $source.Name = $Matches.name
                continue
            }
            if ($line -match '^## (?<section>.+?)\s*$') {
                $section = $Matches.section.ToUpperInvariant()
                if ($section -notin $KnownSections) {
                    throw "${Path} line ${lineNumber}: unknown section '## $($Matches.section)'. Known: $($KnownSections -join ', ')."
                }
                $item = $null
                $target = [System.Collections.Generic.List[string]]::new()
                $source.Sections[$section] = $target
                continue
            }
            if ($line -match '^### (?<item>.+?)\s*$') {
                $item = $Matches.item
                $target = [System.Collections.Generic.List[string]]::new()
                switch ($section) {
                    'PARAMETERS' {
                        if ($item -notmatch '^-(?<parameter>\w+)$') { throw "${Path} line ${lineNumber}: a parameter heading reads '### -Name'." }
                        $source.Parameters[$Matches.parameter] = $target
                    }
                    'INPUTS' { $source.Inputs[$item] = $target }
                    'OUTPUTS' { $source.Outputs[$item] = $target }
                    'EXAMPLES' { $source.Examples.Add([pscustomobject]@{ Title = $item; Lines = $target }) }
                    default { throw "${Path} line ${lineNumber}: '### ' headings belong in PARAMETERS, INPUTS, OUTPUTS and EXAMPLES only." }
                }
                continue
            }
        }
        if ($null -eq $target) {
            if ($line.Trim()) { throw "${Path} line ${lineNumber}: text before the first '## ' section." }
            continue
        }
        $target.Add($line)
    }
    if (-not $source.Name) { throw "${Path}: the first heading must be '# <Cmdlet-Name>'." }
    [pscustomobject]$source
}

function Get-TypeName {
    param([type] $Type, [switch] $Full)
    $nullable = [Nullable]::GetUnderlyingType($Type)
    if ($nullable) { $Type = $nullable }
    if ($Type.IsArray) { return (Get-TypeName -Type $Type.GetElementType() -Full:$Full) + '[]' }
    if ($Full) { $Type.FullName } else { $Type.Name }
}

function Get-ParameterValueSet {
    # Enum names or ValidateSet values: Get-Help shows them as {A | B | C}.
    param([System.Management.Automation.ParameterMetadata] $Parameter)
    $validateSet = $Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | Select-Object -First 1
    if ($validateSet) { return , @($validateSet.ValidValues) }
    $type = $Parameter.ParameterType
    if ($type.IsArray) { $type = $type.GetElementType() }
    $nullable = [Nullable]::GetUnderlyingType($type)
    if ($nullable) { $type = $nullable }
    if ($type.IsEnum) { return , @([Enum]::GetNames($type)) }
    , @()
}

function Get-PipelineInput {
    param([System.Management.Automation.ParameterSetMetadata[]] $SetMetadata)
    $byValue = [bool]($SetMetadata | Where-Object ValueFromPipeline)
    $byName = [bool]($SetMetadata | Where-Object ValueFromPipelineByPropertyName)
    if ($byValue -and $byName) { 'True (ByValue, ByPropertyName)' }
    elseif ($byValue) { 'True (ByValue)' }
    elseif ($byName) { 'True (ByPropertyName)' }
    else { 'False' }
}

function Get-DefaultValue {
    param($Instance, [type] $CmdletType, [string] $Name)
    # Property initialisers are the defaults (MaxRetries = 5, Environment = Global, ...).
    $property = $CmdletType.GetProperty($Name)
    if ($null -eq $Instance -or $null -eq $property) { return 'None' }
    $value = $property.GetValue($Instance)
    if ($null -eq $value) { return 'None' }
    if ($value -is [System.Management.Automation.SwitchParameter]) { return [string]$value.IsPresent }
    if ($value -is [array] -and $value.Count -eq 0) { return 'None' }
    [string]$value
}

function Write-Para {
    param([System.Xml.XmlWriter] $Writer, [string[]] $Paragraphs)
    if (-not $Paragraphs) { $Paragraphs = @('') }
    foreach ($paragraph in $Paragraphs) { $Writer.WriteElementString('maml', 'para', $NS.maml, $paragraph) }
}

function Write-Description {
    param([System.Xml.XmlWriter] $Writer, [string[]] $Paragraphs)
    $Writer.WriteStartElement('maml', 'description', $NS.maml)
    Write-Para -Writer $Writer -Paragraphs $Paragraphs
    $Writer.WriteEndElement()
}

function Write-ParameterElement {
    param(
        [System.Xml.XmlWriter] $Writer,
        [hashtable] $Info,
        [bool] $Required,
        [string] $Position,
        [switch] $WithDescription
    )
    $Writer.WriteStartElement('command', 'parameter', $NS.command)
    $Writer.WriteAttributeString('required', $Required.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', $Info.IsArray.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('globbing', $Info.Globbing.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', $Info.PipelineInput)
    $Writer.WriteAttributeString('position', $Position)
    $Writer.WriteAttributeString('aliases', $Info.Aliases)
    $Writer.WriteElementString('maml', 'name', $NS.maml, $Info.Name)
    Write-Description -Writer $Writer -Paragraphs $(if ($WithDescription) { $Info.Description } else { $Info.Description | Select-Object -First 1 })
    if ($Info.ValueSet.Count -gt 0) {
        $Writer.WriteStartElement('command', 'parameterValueGroup', $NS.command)
        foreach ($value in $Info.ValueSet) {
            $Writer.WriteStartElement('command', 'parameterValue', $NS.command)
            $Writer.WriteAttributeString('required', 'false')
            $Writer.WriteAttributeString('command', 'variableLength', $NS.command, 'false')
            $Writer.WriteString($value)
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }
    if (-not $Info.IsSwitch) {
        $Writer.WriteStartElement('command', 'parameterValue', $NS.command)
        $Writer.WriteAttributeString('required', 'true')
        $Writer.WriteAttributeString('variableLength', $Info.IsArray.ToString().ToLowerInvariant())
        $Writer.WriteString($Info.TypeName)
        $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('dev', 'type', $NS.dev)
    $Writer.WriteElementString('maml', 'name', $NS.maml, $Info.FullTypeName)
    $Writer.WriteElementString('maml', 'uri', $NS.maml, '')
    $Writer.WriteEndElement()
    $Writer.WriteElementString('dev', 'defaultValue', $NS.dev, $Info.DefaultValue)
    $Writer.WriteEndElement()
}

function Write-TypeList {
    param([System.Xml.XmlWriter] $Writer, [string] $ListName, [string] $ItemName, [object[]] $Types)
    $Writer.WriteStartElement('command', $ListName, $NS.command)
    foreach ($entry in $Types) {
        $Writer.WriteStartElement('command', $ItemName, $NS.command)
        $Writer.WriteStartElement('dev', 'type', $NS.dev)
        $Writer.WriteElementString('maml', 'name', $NS.maml, $entry.Name)
        $Writer.WriteEndElement()
        Write-Description -Writer $Writer -Paragraphs $entry.Description
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
}

function Write-CommandHelp {
    param([System.Xml.XmlWriter] $Writer, [System.Management.Automation.CmdletInfo] $Command, $Source)

    $sourceFile = "$($Command.Name).md"
    $paragraphsOf = {
        param($lines, [string] $where)
        try { ConvertTo-Paragraph -Lines @($lines) }
        catch { throw "${sourceFile} ${where}: $_" }
    }
    $sectionText = {
        param([string] $name)
        if ($Source -and $Source.Sections.ContainsKey($name)) { & $paragraphsOf $Source.Sections[$name] $name } else { @() }
    }

    $synopsis = @(& $sectionText 'SYNOPSIS')
    $description = @(& $sectionText 'DESCRIPTION')
    if (-not $synopsis) { Write-Warning "${sourceFile}: $($Command.Name) has no SYNOPSIS." }
    if (-not $description) { Write-Warning "${sourceFile}: $($Command.Name) has no DESCRIPTION." }

    $common = [System.Management.Automation.Cmdlet]::CommonParameters
    $instance = $null
    try { $instance = [Activator]::CreateInstance($Command.ImplementingType) } catch { Write-Verbose "No instance of $($Command.ImplementingType): defaults read as None." }

    # One description per parameter, whatever set it is in.
    $described = if ($Source) { $Source.Parameters } else { [ordered]@{} }
    $parameters = @{}
    foreach ($parameter in $Command.Parameters.Values) {
        if ($parameter.Name -in $common) { continue }
        $setMetadata = @($parameter.ParameterSets.Values)
        $lines = if ($described.Contains($parameter.Name)) { @($described[$parameter.Name]) } else { @() }
        $default = Get-DefaultValue -Instance $instance -CmdletType $Command.ImplementingType -Name $parameter.Name
        $override = $lines | Where-Object { $_ -match '^Default value:\s*(?<value>.+)$' } | Select-Object -Last 1
        if ($override) {
            $null = $override -match '^Default value:\s*(?<value>.+)$'
            $default = $Matches.value.Trim()
            $lines = @($lines | Where-Object { $_ -notmatch '^Default value:' })
        }
        $text = @(& $paragraphsOf $lines "-$($parameter.Name)")
        if (-not $text) { Write-Warning "${sourceFile}: -$($parameter.Name) of $($Command.Name) has no description." }

        # Mandatory in some sets and optional in others: say which, since MAML has one flag.
        $mandatorySets = @($parameter.ParameterSets.GetEnumerator() | Where-Object { $_.Value.IsMandatory } | ForEach-Object Key)
        $optionalSets = @($parameter.ParameterSets.GetEnumerator() | Where-Object { -not $_.Value.IsMandatory } | ForEach-Object Key)
        if ($text -and $mandatorySets -and $optionalSets) {
            $text += "Required in the parameter sets $($mandatorySets -join ', '); optional in $($optionalSets -join ', ')."
        }
        $positions = @($setMetadata | Where-Object { $_.Position -ge 0 } | ForEach-Object Position | Sort-Object -Unique)

        $parameters[$parameter.Name] = @{
            Name          = $parameter.Name
            Description   = $text
            IsSwitch      = $parameter.SwitchParameter
            IsArray       = $parameter.ParameterType.IsArray
            TypeName      = Get-TypeName -Type $parameter.ParameterType
            FullTypeName  = Get-TypeName -Type $parameter.ParameterType -Full
            ValueSet      = Get-ParameterValueSet -Parameter $parameter
            Globbing      = [bool]($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
            PipelineInput = Get-PipelineInput -SetMetadata $setMetadata
            Aliases       = if ($parameter.Aliases.Count) { $parameter.Aliases -join ', ' } else { 'none' }
            DefaultValue  = $default
            Required      = $mandatorySets.Count -gt 0 -and $optionalSets.Count -eq 0
            Position      = if ($positions.Count -eq 1) { [string]$positions[0] } else { 'named' }
        }
    }
    if ($instance -is [System.IDisposable]) { $instance.Dispose() }
    foreach ($name in $described.Keys) {
        if (-not $parameters.ContainsKey($name)) { Write-Warning "${sourceFile}: describes -$name, which $($Command.Name) does not have." }
    }

    $Writer.WriteStartElement('command', 'command', $NS.command)
    foreach ($prefix in 'maml', 'command', 'dev') {
        $Writer.WriteAttributeString('xmlns', $prefix, 'http://www.w3.org/2000/xmlns/', $NS[$prefix])
    }

    $Writer.WriteStartElement('command', 'details', $NS.command)
    $Writer.WriteElementString('command', 'name', $NS.command, $Command.Name)
    $Writer.WriteElementString('command', 'verb', $NS.command, $Command.Verb)
    $Writer.WriteElementString('command', 'noun', $NS.command, $Command.Noun)
    Write-Description -Writer $Writer -Paragraphs $synopsis
    $Writer.WriteEndElement()

    Write-Description -Writer $Writer -Paragraphs $description

    # Syntax: one item per parameter set, the default set first; positional, then mandatory, then the rest.
    $Writer.WriteStartElement('command', 'syntax', $NS.command)
    $sets = @($Command.ParameterSets | Sort-Object { -not $_.IsDefault })
    foreach ($set in $sets) {
        $Writer.WriteStartElement('command', 'syntaxItem', $NS.command)
        $Writer.WriteElementString('maml', 'name', $NS.maml, $Command.Name)
        $ordered = $set.Parameters | Where-Object { $_.Name -notin $common } |
            Sort-Object @{ Expression = { if ($_.Position -ge 0) { $_.Position } else { [int]::MaxValue } } },
            @{ Expression = { -not $_.IsMandatory } }
        foreach ($parameter in $ordered) {
            $position = if ($parameter.Position -ge 0) { [string]$parameter.Position } else { 'named' }
            Write-ParameterElement -Writer $Writer -Info $parameters[$parameter.Name] -Required $parameter.IsMandatory -Position $position
        }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'parameters', $NS.command)
    foreach ($name in ($parameters.Keys | Sort-Object)) {
        $info = $parameters[$name]
        Write-ParameterElement -Writer $Writer -Info $info -Required $info.Required -Position $info.Position -WithDescription
    }
    $Writer.WriteEndElement()

    # Inputs: the types of pipeline-bound parameters; outputs: [OutputType]. Text from the markdown,
    # under the full or the short type name; a type the markdown names but the cmdlet lacks is stale.
    $typeEntries = {
        param($table, [string[]] $typeNames, [string] $section, [string] $noneText, [string] $staleText)
        $table = if ($table) { $table } else { [ordered]@{} }
        if (-not $typeNames) { $typeNames = @('None') }
        foreach ($typeName in $typeNames) {
            $key = @($table.Keys) | Where-Object { $_ -eq $typeName -or $_ -eq ($typeName -split '\.')[-1] } | Select-Object -First 1
            $text = if ($key) { & $paragraphsOf $table[$key] "$section $key" } elseif ($typeName -eq 'None') { $noneText } else { @() }
            if ($key) { $table.Remove($key) }
            [pscustomobject]@{ Name = $typeName; Description = @($text) }
        }
        foreach ($key in $table.Keys) { Write-Warning "${sourceFile}: $section names $key, $staleText" }
    }
    $pipelineTypes = @($Command.Parameters.Values | Where-Object { $_.Name -notin $common } |
            Where-Object { $_.ParameterSets.Values | Where-Object { $_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName } } |
            ForEach-Object { Get-TypeName -Type $_.ParameterType -Full } | Sort-Object -Unique)
    $inputs = & $typeEntries ($Source ? $Source.Inputs : $null) $pipelineTypes 'INPUTS' "You can't pipe objects to $($Command.Name)." "which no parameter of $($Command.Name) takes from the pipeline."
    Write-TypeList -Writer $Writer -ListName 'inputTypes' -ItemName 'inputType' -Types @($inputs)

    $outputTypes = @($Command.OutputType | ForEach-Object { $_.Name } | Where-Object { $_ -ne 'System.Void' } | Select-Object -Unique)
    $outputs = & $typeEntries ($Source ? $Source.Outputs : $null) $outputTypes 'OUTPUTS' "$($Command.Name) writes no objects." "which is not an [OutputType] of $($Command.Name)."
    Write-TypeList -Writer $Writer -ListName 'returnValues' -ItemName 'returnValue' -Types @($outputs)

    $notes = @(& $sectionText 'NOTES')
    if ($notes) {
        $Writer.WriteStartElement('maml', 'alertSet', $NS.maml)
        $Writer.WriteStartElement('maml', 'alert', $NS.maml)
        Write-Para -Writer $Writer -Paragraphs $notes
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }

    $Writer.WriteStartElement('command', 'examples', $NS.command)
    $examples = if ($Source) { $Source.Examples } else { @() }
    if (@($examples).Count -lt 2) { Write-Warning "${sourceFile}: $($Command.Name) has $(@($examples).Count) example(s); write at least two." }
    foreach ($example in $examples) {
        if (-not ($example.Lines -match '^\s*```')) { throw "${sourceFile}: example '$($example.Title)' has no fenced code block." }
        # The code is the first fenced block; text before it and everything after it are the remarks.
        $before = [System.Collections.Generic.List[string]]::new()
        $code = [System.Collections.Generic.List[string]]::new()
        $after = [System.Collections.Generic.List[string]]::new()
        $state = 'before'
        foreach ($line in $example.Lines) {
            if ($state -eq 'before' -and $line -match '^\s*```') { $state = 'code'; continue }
            if ($state -eq 'code' -and $line -match '^\s*```') { $state = 'after'; continue }
            switch ($state) { 'before' { $before.Add($line) } 'code' { $code.Add($line.TrimEnd()) } 'after' { $after.Add($line) } }
        }
        $Writer.WriteStartElement('command', 'example', $NS.command)
        $Writer.WriteElementString('maml', 'title', $NS.maml, "---------- $($example.Title) ----------")
        $Writer.WriteElementString('dev', 'code', $NS.dev, (($code -join "`n").Trim("`n")))
        $Writer.WriteStartElement('dev', 'remarks', $NS.dev)
        # The empty last paragraph keeps a blank line before the next example's title.
        Write-Para -Writer $Writer -Paragraphs @(@(& $paragraphsOf $before "example '$($example.Title)'") + @(& $paragraphsOf $after "example '$($example.Title)'") + '')
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $NS.command)
    $links = if ($Source -and $Source.Sections.ContainsKey('RELATED LINKS')) { @($Source.Sections['RELATED LINKS'] | Where-Object { $_.Trim() }) } else { @() }
    foreach ($line in $links) {
        $entry = $line.Trim() -replace '^[-*]\s+', ''
        $text = $entry
        $uri = ''
        if ($entry -match '^\[(?<text>[^\]]*)\]\((?<uri>[^)]*)\)$') { $text = $Matches.text; $uri = $Matches.uri }
        elseif ($entry -match '^https?://') { $text = $entry; $uri = $entry }
        $Writer.WriteStartElement('maml', 'navigationLink', $NS.maml)
        $Writer.WriteElementString('maml', 'linkText', $NS.maml, $text)
        $Writer.WriteElementString('maml', 'uri', $NS.maml, $uri)
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement()
}

# --- main -------------------------------------------------------------------------------------

$ModulePath = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
$SourcePath = (Resolve-Path -LiteralPath $SourcePath).ProviderPath
$module = Import-Module -Name (Join-Path $ModulePath "$ModuleName.psd1") -PassThru -Force
$commands = @(Get-Command -Module $ModuleName -CommandType Cmdlet | Sort-Object Name)
if (-not $commands) { throw "The module at $ModulePath exports no cmdlets." }

$sources = @{}
foreach ($file in Get-ChildItem -LiteralPath $SourcePath -Filter '*-*.md' -File) {
    $source = Read-HelpSource -Path $file.FullName
    if ($source.Name -ne $file.BaseName) { throw "$($file.Name): its heading names '$($source.Name)'; the file and the heading must name the same cmdlet." }
    $sources[$source.Name] = $source
}
foreach ($name in $sources.Keys) {
    if ($name -notin $commands.Name) { Write-Warning "$name.md documents a cmdlet the module does not export." }
}

# Every cmdlet of one assembly shares one help file, named after the assembly.
$helpFiles = @($commands | ForEach-Object HelpFile | Sort-Object -Unique)
if ($helpFiles.Count -ne 1) { throw "Expected the cmdlets to share one help file name, found: $($helpFiles -join ', ')." }
$cultureFolder = Join-Path $ModulePath $Culture
New-Item -ItemType Directory -Path $cultureFolder -Force | Out-Null
$outputFile = Join-Path $cultureFolder $helpFiles[0]

$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.IndentChars = '  '
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
$settings.NewLineChars = "`n"
$stream = [System.IO.MemoryStream]::new()
$writer = [System.Xml.XmlWriter]::Create($stream, $settings)
try {
    $writer.WriteStartDocument()
    $writer.WriteStartElement('helpItems', 'http://msh')
    $writer.WriteAttributeString('schema', 'maml')
    foreach ($command in $commands) {
        if (-not $sources.ContainsKey($command.Name)) { Write-Warning "No help source $($command.Name).md in $SourcePath." }
        Write-CommandHelp -Writer $writer -Command $command -Source $sources[$command.Name]
    }
    $writer.WriteEndElement()
    $writer.WriteEndDocument()
}
finally {
    $writer.Dispose()
}
$xml = [System.Text.Encoding]::UTF8.GetString($stream.ToArray())
Assert-Ascii -Text $xml -Where $outputFile
[System.IO.File]::WriteAllText($outputFile, $xml, [System.Text.UTF8Encoding]::new($false))
Remove-Module -ModuleInfo $module -Force
Write-Host "Wrote help for $($commands.Count) cmdlets of $ModuleName $($module.Version) to $outputFile"
