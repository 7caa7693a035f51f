import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, parseAllDocuments } from "yaml";

/** The project root. */
export const root = fileURLToPath(new URL("../", import.meta.url));

/** A file of the project as text. */
export function readText(path: string): string {
  return readFileSync(join(root, path), "utf8");
}

/** A parsed YAML file; YAML merge keys (`<<`) are resolved, as compose does. Throws on any syntax error. */
export function readYaml(path: string): unknown {
  return parse(readText(path), { merge: true, prettyErrors: true });
}

/** A Kubernetes object: just the fields the checks read. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

/** Every document of every `*.yaml` in deploy/kubernetes except kustomization.yaml; throws on syntax errors. */
export function readManifests(): { file: string; object: K8sObject }[] {
  const dir = join(root, "deploy/kubernetes");
  return readdirSync(dir)
    .filter((file) => file.endsWith(".yaml") && file !== "kustomization.yaml")
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((document) => {
        if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((error) => error.message).join("; ")}`);
        return { file, object: document.toJS() as K8sObject };
      }),
    );
}

/** Compose's variable interpolation with every variable unset: `${X:-default}` → default, `$$` → `$`. */
export function interpolate(value: string): string {
  return value.replace(/\$\$|\$\{(\w+)(?::?-([^}]*))?\}/g, (match, _name: string | undefined, fallback: string | undefined) => (match === "$$" ? "$" : (fallback ?? "")));
}

/** `literals` of a kustomize generator as a map. */
export function literalsOf(generator: { literals?: string[] }): Record<string, string> {
  return Object.fromEntries((generator.literals ?? []).map((literal) => [literal.slice(0, literal.indexOf("=")), literal.slice(literal.indexOf("=") + 1)]));
}

/** The ports table of DESIGN.md: service → gRPC, web (if any) and admin port. */
export function designPorts(design: string): Record<string, { grpc: number; admin: number; web?: number }> {
  const rows = [...design.matchAll(/^\| (fights|heroes|villains|locations) \| (\d+) \| ([^|]*)\| (\d+) \|$/gm)];
  return Object.fromEntries(
    rows.map(([, name, grpc, other, admin]) => {
      const web = /(\d+) web/.exec(other ?? "")?.[1];
      return [name, { grpc: Number(grpc), admin: Number(admin), ...(web === undefined ? {} : { web: Number(web) }) }];
    }),
  );
}
