// Counts the public surface of built assemblies: exported types (public, and public/protected nested in exported ones)
// and their public or protected members: methods (constructors, property and event accessors, operators included) and
// fields (enum values included). Reads metadata only (System.Reflection.Metadata): nothing is loaded. Usage: dotnet run tools/api-count/api-count.cs -- <assembly.dll>...
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: dotnet run tools/api-count/api-count.cs -- <assembly.dll>...");
    return 2;
}

int totalTypes = 0, totalMembers = 0;
foreach (var path in args)
{
    if (!File.Exists(path))
    {
        Console.Error.WriteLine($"not found: {path}");
        return 2;
    }

    using var pe = new PEReader(File.OpenRead(path));
    var md = pe.GetMetadataReader();
    int types = 0, members = 0;
    foreach (var handle in md.TypeDefinitions)
    {
        var type = md.GetTypeDefinition(handle);
        if (!IsExported(md, type))
        {
            continue;
        }

        types++;
        var sealedType = (type.Attributes & TypeAttributes.Sealed) != 0;
        foreach (var m in type.GetMethods())
        {
            var a = md.GetMethodDefinition(m).Attributes & MethodAttributes.MemberAccessMask;
            if (a == MethodAttributes.Public || (!sealedType && (a == MethodAttributes.Family || a == MethodAttributes.FamORAssem)))
            {
                members++;
            }
        }

        foreach (var f in type.GetFields())
        {
            var fd = md.GetFieldDefinition(f);
            var a = fd.Attributes & FieldAttributes.FieldAccessMask;
            if (md.GetString(fd.Name) == "value__")
            {
                continue;
            }

            if (a == FieldAttributes.Public || (!sealedType && (a == FieldAttributes.Family || a == FieldAttributes.FamORAssem)))
            {
                members++;
            }
        }
    }

    Console.WriteLine($"{Path.GetFileName(path)}\t{types} types\t{members} members");
    totalTypes += types;
    totalMembers += members;
}

Console.WriteLine($"total\t{totalTypes} types\t{totalMembers} members");
return 0;

static bool IsExported(MetadataReader md, TypeDefinition type)
{
    var visibility = type.Attributes & TypeAttributes.VisibilityMask;
    if (visibility == TypeAttributes.Public)
    {
        return true;
    }

    if (visibility is TypeAttributes.NestedPublic or TypeAttributes.NestedFamily or TypeAttributes.NestedFamORAssem)
    {
        var outer = md.GetTypeDefinition(type.GetDeclaringType());
        return IsExported(md, outer) && (visibility == TypeAttributes.NestedPublic || (outer.Attributes & TypeAttributes.Sealed) == 0);
    }

    return false;
}
