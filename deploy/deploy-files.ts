import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { projectRoot as root } from "../services/platform/config/project-root.js";

/** The project root (with a trailing separator), as the deploy tests read files from it. */
export { root };

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
        if (document.errors.length > 0)
          throw new Error(`${file}: ${document.errors.map((error) => error.message).join("; ")}`);
        return { file, object: document.toJS() as K8sObject };
      }),
    );
}

/** Compose's variable interpolation with every variable unset: `${X:-default}` → default, `$$` → `$`. */
export function interpolate(value: string): string {
  return value.replace(
    /\$\$|\$\{(\w+)(?::?-([^}]*))?\}/g,
    (match, _name: string | undefined, fallback: string | undefined) => (match === "$$" ? "$" : (fallback ?? "")),
  );
}

/** `literals` of a kustomize generator as a map. */
export function literalsOf(generator: { literals?: string[] }): Record<string, string> {
  return Object.fromEntries(
    (generator.literals ?? []).map((literal) => [
      literal.slice(0, literal.indexOf("=")),
      literal.slice(literal.indexOf("=") + 1),
    ]),
  );
}
