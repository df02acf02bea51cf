// ESLint for the map client (geo/web/*.js): plain browser ES5 with Leaflet's global L.
export default [
    {
        files: ["**/*.js"],
        languageOptions: {
            ecmaVersion: 5,
            sourceType: "script",
            globals: {
                window: "readonly", document: "readonly", console: "readonly",
                fetch: "readonly", Promise: "readonly", setInterval: "readonly",
                setTimeout: "readonly", clearTimeout: "readonly",
                clearInterval: "readonly", L: "readonly"
            }
        },
        linterOptions: {reportUnusedDisableDirectives: "error"},
        rules: {
            "no-undef": "error",
            "no-unused-vars": "error",
            "no-redeclare": "error",
            "no-shadow": "error",
            "no-implied-eval": "error",
            "no-eval": "error",
            "no-new-func": "error",
            "no-with": "error",
            "no-dupe-keys": "error",
            "no-unreachable": "error",
            "no-self-assign": "error",
            "no-use-before-define": ["error", {functions: false}],
            "eqeqeq": "error",
            "strict": ["error", "function"],
            "curly": "error",
            "max-len": ["error", {code: 100}]
        }
    }
];
