// Lint and the import boundaries of architecture.md: who may import whom, no deep imports.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

const nodeBuiltins = [
  'node:*',
  'fs',
  'fs/*',
  'net',
  'http',
  'https',
  'child_process',
  'os',
  'path',
  'crypto',
  'stream',
  'tls',
  'dgram',
];
const pkg = (name) => [`@kiosk/${name}`, `**/${name}/src/**`, `**/${name}/src`];
const deep = { group: ['@kiosk/*/**'], message: 'No deep imports across packages: use the package entry.' };
// The server and the agent also have protocol's Node entry (what they share that needs Node's APIs).
const deepButNode = { ...deep, group: [...deep.group, '!@kiosk/protocol/node'] };
const forbid = (names, message) => ({ group: names.flatMap(pkg), message });
const rule = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

// architecture.md: "Repositories hold every query". Outside server/src/repositories and the db
// layer, no query builder call and no raw `sql` tag; units of work open through a Committer.
const queryBuilders = 'selectFrom|insertInto|updateTable|deleteFrom|replaceInto|with|executeQuery';
const sqlMessage = 'SQL lives in server/src/repositories (or server/src/db): call a repository method instead.';
const noSqlOutsideRepositories = [
  'error',
  { selector: `CallExpression > MemberExpression.callee[property.name=/^(${queryBuilders})$/]`, message: sqlMessage },
  { selector: `CallExpression > Identifier.callee[name=/^(${queryBuilders})$/]`, message: sqlMessage },
  { selector: "ImportDeclaration[source.value='kysely'] > ImportSpecifier[imported.name='sql']", message: sqlMessage },
  {
    selector: 'CallExpression > MemberExpression.callee[property.name=/^(transaction|connection)$/]',
    message: 'Open a unit of work through a Committer (db/group-commit.ts) and pass its handle to repositories.',
  },
];
// A socket.io command is served only through protocol's serveCommands, from its namespace's command
// table: it validates the payload, answers the ack exactly once with a Result and never lets a throw
// escape. So no listener with an ack is written by hand: no `.on('noun:verb', (payload, ack) => …)`
// (nor with an event name that is not a literal). Node's own events ('exit' …) have no ':' and pass.
const listen = 'CallExpression[callee.property.name=/^(on|once|addListener|prependListener)$/]';
const handWrittenAck = [`${listen}[arguments.0.value=/:/]`, `${listen}[arguments.0.type!='Literal']`].map((call) => ({
  selector: `${call} > :function[params.length>=2]`,
  message: "Serve socket commands with serveCommands and the namespace's command table (@kiosk/protocol).",
}));

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.types/**', 'data/**', 'artifacts/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      'no-restricted-syntax': ['error', ...handWrittenAck],
    },
  },
  {
    // Service workers served as they are (the ticket status page's).
    files: ['kiosk-ui/public/**/*.js'],
    languageOptions: { globals: { ...globals.serviceworker } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser }, globals: { ...globals.browser } },
  },
  {
    files: ['protocol/**/*.ts'],
    rules: rule(
      deep,
      forbid(['hardware-profiles', 'device-agent', 'server', 'kiosk-ui', 'tests'], 'protocol imports zod only.'),
      {
        group: nodeBuiltins,
        message: 'protocol is browser-safe: no Node APIs.',
      },
    ),
  },
  {
    // protocol's Node entry: shared by the server and the agent, so Node APIs but still no package.
    files: ['protocol/node/**/*.ts'],
    rules: rule(
      deep,
      forbid(['hardware-profiles', 'device-agent', 'server', 'kiosk-ui', 'tests'], 'protocol imports zod only.'),
    ),
  },
  {
    files: ['hardware-profiles/**/*.ts'],
    rules: rule(
      deep,
      forbid(['device-agent', 'server', 'kiosk-ui', 'tests'], 'hardware-profiles may import protocol only.'),
      {
        group: nodeBuiltins,
        message: 'hardware-profiles is data and pure matching: no I/O.',
      },
    ),
  },
  {
    files: ['device-agent/**/*.ts'],
    rules: rule(
      deepButNode,
      forbid(['server', 'kiosk-ui', 'tests'], 'device-agent may import protocol and hardware-profiles only.'),
    ),
  },
  {
    files: ['server/**/*.ts'],
    rules: rule(
      deepButNode,
      forbid(['device-agent', 'kiosk-ui', 'tests'], 'server may import protocol (and hardware-profiles) only.'),
    ),
  },
  {
    files: ['server/src/**/*.ts'],
    ignores: ['server/src/repositories/**', 'server/src/db/**'],
    // Both lists: a rule set here replaces the one set for every file above.
    rules: { 'no-restricted-syntax': [...noSqlOutsideRepositories, ...handWrittenAck] },
  },
  {
    files: ['kiosk-ui/**/*.ts', 'kiosk-ui/**/*.svelte'],
    languageOptions: { globals: { ...globals.browser } },
    rules: rule(
      deep,
      forbid(['hardware-profiles', 'device-agent', 'server', 'tests'], 'kiosk-ui may import protocol only.'),
      {
        group: nodeBuiltins,
        message: 'kiosk-ui runs in the browser: no Node APIs.',
      },
    ),
  },
  {
    files: ['kiosk-ui/vite.config.ts', 'kiosk-ui/scripts/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['tests/**/*.ts'],
    // Tests and benchmarks also have the agent's sample tickets and profiles (its `./testing` entry).
    rules: rule(
      { ...deep, group: [...deep.group, '!@kiosk/device-agent/testing'] },
      {
        group: ['protocol', 'hardware-profiles', 'device-agent', 'server', 'kiosk-ui'].map((p) => `**/${p}/src/**`),
        message: "Tests use a package's public entry (@kiosk/…), not its source files.",
      },
    ),
  },
);
