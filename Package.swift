// swift-tools-version: 6.0
import PackageDescription

// Layout (see README "Architecture"):
//   CICU            system library: finds ICU with pkg-config. No Swift file imports it: Foundation on
//                   Linux carries its own ICU headers, and a Swift module that sees both fails to build.
//   ICUShim         the only code that calls ICU (C++), behind a header with <stdint.h> types only.
//   CChecksum       CRC-32C in C (SSE4.2 instruction when available) for index file checksums.
//   CZlib           the system zlib (stored text in segment files is deflated).
//   BigramSearch    the library (Analysis → Index → Query → Storage), pure Swift over ICUShim.
//   COpenCC         system library: OpenCC (libopencc-dev), used only by BigramSearchVariants.
//   BigramSearchVariants  opt-in regional word variants (軟體/软件) as a query rewrite, over OpenCC;
//                   the core library does not depend on it.
//   bigram-search   command-line tool.   bigram-bench   benchmark executable (Benchmarks/).
let package = Package(
    name: "BigramSearch",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "BigramSearch", targets: ["BigramSearch"]),
        .library(name: "BigramSearchVariants", targets: ["BigramSearchVariants"]),
        .executable(name: "bigram-search", targets: ["bigram-search"]),
        .executable(name: "bigram-bench", targets: ["BigramBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation --target BigramSearch` (the DocC catalog).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CICU",
            pkgConfig: "icu-i18n",
            providers: [.apt(["libicu-dev", "pkg-config"])]
        ),
        .target(
            name: "ICUShim",
            dependencies: ["CICU"],
            linkerSettings: [
                .linkedLibrary("icui18n"), .linkedLibrary("icuuc"), .linkedLibrary("icudata"),
            ]
        ),
        .target(name: "CChecksum"),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "BigramSearch",
            dependencies: ["ICUShim", "CChecksum", "CZlib"]
        ),
        .systemLibrary(
            name: "COpenCC",
            pkgConfig: "opencc",
            providers: [.apt(["libopencc-dev"])]
        ),
        .target(
            name: "BigramSearchVariants",
            dependencies: ["BigramSearch", "COpenCC"]
        ),
        .executableTarget(
            name: "bigram-search",
            dependencies: [
                "BigramSearch",
                "BigramSearchVariants",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .systemLibrary(
            name: "CSQLite",
            path: "Benchmarks/CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .executableTarget(
            name: "BigramBench",
            dependencies: ["BigramSearch", "BigramSearchVariants", "CSQLite"],
            path: "Benchmarks/BigramBench"
        ),
        .testTarget(
            name: "BigramSearchTests",
            dependencies: ["BigramSearch"],
            exclude: ["Fixtures"]   // index files of earlier format versions, read by FormatVersionTests
        ),
        .testTarget(
            name: "BigramSearchVariantsTests",
            dependencies: ["BigramSearchVariants"]
        ),
    ],
    cxxLanguageStandard: .cxx17
)
