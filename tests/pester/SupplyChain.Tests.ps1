#Requires -Version 7.4
# What the build takes from outside is pinned, audited and from one source.

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:Projects = @(git -C $RepoRoot ls-files '*.csproj' | ForEach-Object { Join-Path $RepoRoot $_ })
    [xml] $script:BuildProps = Get-Content -Raw (Join-Path $RepoRoot 'Directory.Build.props')
    [xml] $script:PackageProps = Get-Content -Raw (Join-Path $RepoRoot 'Directory.Packages.props')
}

Describe 'Supply chain' {
    It 'finds the projects' {
        $Projects.Count | Should -BeGreaterOrEqual 6
    }

    It 'every project has its packages.lock.json in git' {
        $tracked = @(git -C $RepoRoot ls-files '*packages.lock.json')
        foreach ($project in $Projects) {
            $lock = [System.IO.Path]::GetRelativePath($RepoRoot, (Join-Path (Split-Path $project) 'packages.lock.json')).Replace('\', '/')
            $tracked | Should -Contain $lock -Because "$project restores from a lock file"
        }
    }

    It 'restores with lock files everywhere, locked in CI' {
        foreach ($props in @($BuildProps, [xml](Get-Content -Raw (Join-Path $RepoRoot 'tests/fixtures/ConflictingModule/Directory.Build.props')))) {
            $group = $props.Project.PropertyGroup
            $group.RestorePackagesWithLockFile | Should -Be 'true'
            $locked = @($group.ChildNodes | Where-Object LocalName -EQ 'RestoreLockedMode')
            $locked.Count | Should -Be 1
            $locked[0].Condition | Should -Match "'\`$\(CI\)' == 'true'"
            $locked[0].InnerText | Should -Be 'true'
        }
    }

    It 'audits every package, and an offline audit does not fail the build' {
        $group = $BuildProps.Project.PropertyGroup
        $group.NuGetAudit | Should -Be 'true'
        $group.NuGetAuditMode | Should -Be 'all'
        $group.WarningsNotAsErrors | Should -Match 'NU1900'
    }

    It 'pins transitive packages to the central versions' {
        $PackageProps.Project.PropertyGroup.CentralPackageTransitivePinningEnabled | Should -Be 'true'
    }

    It 'takes packages from one source, mapped for every package' {
        [xml] $config = Get-Content -Raw (Join-Path $RepoRoot 'nuget.config')
        $sources = $config.configuration.packageSources
        @($sources.ChildNodes | Where-Object LocalName -EQ 'clear').Count | Should -Be 1 -Because 'no machine-wide source may add packages'
        @($sources.add).Count | Should -Be 1
        $mapping = $config.configuration.packageSourceMapping.packageSource
        $mapping.key | Should -Be $sources.add.key
        $mapping.package.pattern | Should -Be '*'
    }
}
